package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.gguf.GgufFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChatTemplate} against the published text formats of two templates (ChatML as Qwen documents it, Phi-3's
 * {@code <|user|>} turns), reached by name and through the Jinja text a vocabulary file stores; bad templates and
 * messages are refused in words.
 */
class ChatTemplateTest {
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("You are terse."),
            ChatMessage.user("What is RoPE?"));

    @Test
    void chatmlByNameWrapsEachTurnAndOpensTheAnswer() {
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is RoPE?<|im_end|>\n"
                + "<|im_start|>assistant\n", ChatTemplate.apply("chatml", CONVERSATION, true));
        assertEquals("<|im_start|>user\nWhat is RoPE?<|im_end|>\n",
                ChatTemplate.apply("chatml", CONVERSATION.subList(1, 2), false));
    }

    @Test
    void theTemplateAVocabularyFileStoresIsRecognisedByItsText() {
        Path qwen2 = LlamaSource.directory().resolve("models/ggml-vocab-qwen2.gguf");
        String stored;
        try (GgufFile file = GgufFile.open(qwen2)) {
            stored = file.getString("tokenizer.chat_template");
        }
        try (Tokenizer tokenizer = Tokenizer.open(qwen2)) {
            assertEquals(stored, tokenizer.chatTemplate().orElseThrow());
            assertEquals(ChatTemplate.apply("chatml", CONVERSATION, true),
                    ChatTemplate.apply(tokenizer.chatTemplate().orElseThrow(), CONVERSATION, true));
        }
        try (Tokenizer tokenizer = Tokenizer.open(LlamaSource.directory().resolve("models/ggml-vocab-phi-3.gguf"))) {
            assertEquals("<|user|>\nWhat is RoPE?<|end|>\n<|assistant|>\n",
                    ChatTemplate.apply(tokenizer.chatTemplate().orElseThrow(), CONVERSATION.subList(1, 2), true));
        }
        try (Tokenizer tokenizer = Tokenizer.open(LlamaSource.directory().resolve("models/ggml-vocab-gpt-2.gguf"))) {
            assertTrue(tokenizer.chatTemplate().isEmpty());
        }
    }

    @Test
    void aLongConversationGrowsTheBuffer() {
        String long_ = "x".repeat(10_000);
        String text = ChatTemplate.apply("chatml", List.of(ChatMessage.user(long_)), true);
        assertEquals("<|im_start|>user\n" + long_ + "<|im_end|>\n<|im_start|>assistant\n", text);
    }

    @Test
    void badTemplatesAndMessagesAreRefusedInWords() {
        assertTrue(ChatTemplate.builtIn().containsAll(List.of("chatml", "llama2", "phi3", "gemma")),
                ChatTemplate.builtIn().toString());
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.apply("{{ no template llama.cpp knows }}", CONVERSATION, true));
        assertEquals("llama.cpp does not recognise the chat template '{{ no template llama.cpp knows }}'; it knows "
                + String.join(", ", ChatTemplate.builtIn()) + " (by name or by their Jinja text)", unknown.getMessage());
        assertEquals("the content of message 0 holds a NUL character (U+0000) at index 3, which a C string cannot "
                + "carry; remove it", assertThrows(IllegalArgumentException.class, () -> ChatTemplate.apply("chatml",
                List.of(ChatMessage.user("abc\0def")), true)).getMessage());
        assertEquals("the conversation is empty; pass at least one message", assertThrows(
                IllegalArgumentException.class, () -> ChatTemplate.apply("chatml", List.of(), true)).getMessage());
        assertEquals("a chat message needs a role (system, user or assistant), got ''", assertThrows(
                IllegalArgumentException.class, () -> new ChatMessage("", "hi")).getMessage());
        assertFalse(ChatTemplate.builtIn().isEmpty());
    }
}
