// placeholder until tests are written
