import CoolFusionRemote
import CoolFusionServer
import Testing

/// Chat formats are recognised from the models' own template texts and render the families' layouts.
@Suite struct ChatTemplateTests {
    static let conversation = [
        OpenAIWire.ChatMessage(role: "system", content: "Be brief."),
        OpenAIWire.ChatMessage(role: "user", content: "Hi"),
        OpenAIWire.ChatMessage(role: "assistant", content: "Hello."),
        OpenAIWire.ChatMessage(role: "user", content: "Name a colour."),
    ]

    @Test func smolLMTemplateIsChatMLWithItsDefaultSystemMessage() throws {
        let smol = try TestModels.smol()
        let (template, warning) = ChatTemplate.detect(smol.chatTemplateSource, modelName: smol.name)
        #expect(warning == nil)
        #expect(template == .chatML(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        let prompt = template.render([OpenAIWire.ChatMessage(role: "user", content: "Hi")])
        #expect(prompt == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        // The rendered markup is read as the model's control tokens, not as text.
        let tokens = smol.tokenizer.encode(prompt, parseSpecial: true)
        #expect(tokens.filter { smol.tokenizer.vocabulary.tokens[Int($0)] == "<|im_start|>" }.count == 3)
        // A conversation with its own system message gets no default one.
        #expect(!template.render(Self.conversation).contains("SmolLM"))
    }

    @Test func qwenTemplateDefaultSystemIsFound() throws {
        let template = #"{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}{%- endif %}"#
        #expect(ChatTemplate.detect(template, modelName: "qwen").template
                == .chatML(defaultSystem: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."))
    }

    @Test func gemmaBaseModelWithoutTemplateFallsBackToPlainWithWarning() throws {
        let gemma = try TestModels.gemma()
        let (template, warning) = ChatTemplate.detect(gemma.chatTemplateSource, modelName: gemma.name)
        #expect(template == .plain)
        #expect(warning?.contains("gemma3-270m") == true)
        #expect(template.render(Self.conversation)
                == "Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Name a colour.\n\nAssistant:")
        #expect(template.stopSequences == ["\nUser:"])
    }

    @Test func familiesAreDetectedFromTheirMarkup() {
        #expect(ChatTemplate.detect("{{ '<start_of_turn>' + role }}", modelName: "g").template == .gemma)
        #expect(ChatTemplate.detect("{{ '<|start_header_id|>' }}", modelName: "l").template == .llama3)
        #expect(ChatTemplate.detect("{{ '<|user|>' }}{{ '<|end|>' }}{{ '<|assistant|>' }}", modelName: "p").template == .phi3)
        #expect(ChatTemplate.detect("{{ '[INST] ' + content + ' [/INST]' }}", modelName: "m").template == .mistral)
        let unknown = ChatTemplate.detect("{{ '### Human: ' }}", modelName: "x")
        #expect(unknown.template == .plain)
        #expect(unknown.warning?.contains("unknown family") == true)
    }

    @Test func familyLayouts() {
        #expect(ChatTemplate.gemma.render(Self.conversation)
                == "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello.<end_of_turn>\n"
                + "<start_of_turn>user\nName a colour.<end_of_turn>\n<start_of_turn>model\n")
        #expect(ChatTemplate.llama3.render(Array(Self.conversation.prefix(2)))
                == "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(ChatTemplate.phi3.render(Array(Self.conversation.prefix(2)))
                == "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n")
        #expect(ChatTemplate.mistral.render(Self.conversation)
                == "[INST] Be brief.\n\nHi [/INST]Hello.</s>[INST] Name a colour. [/INST]")
    }
}
