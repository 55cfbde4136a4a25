package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.LlamaApi;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's chat templates ({@code llama_chat_apply_template}): a conversation turned into the one text a
 * chat-tuned model was trained on, with its role markers, e.g. for {@code chatml}
 * <pre>
 * &lt;|im_start|&gt;user
 * Hello&lt;|im_end|&gt;
 * &lt;|im_start|&gt;assistant
 * </pre>
 * The template is a built-in name ({@link #builtIn()}) or the Jinja text a GGUF file stores under
 * {@code tokenizer.chat_template} ({@link Tokenizer#chatTemplate()}): llama.cpp does not run Jinja, it
 * recognises the known templates by their text and formats with its own code for each.
 */
public final class ChatTemplate {
    /** {@code struct llama_chat_message}: two C string pointers. */
    private static final MemoryLayout MESSAGE = MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("role"),
            ValueLayout.ADDRESS.withName("content"));

    private ChatTemplate() {}

    /**
     * The text of {@code messages} formatted with {@code template}; with {@code addAssistant} it ends with the
     * marker that opens the assistant's answer, so that a model continues with that answer.
     */
    public static String apply(String template, List<ChatMessage> messages, boolean addAssistant) {
        NativeLibraries.shim(); // fails here, with words, rather than in a class initialiser
        if (template == null || template.isEmpty()) {
            throw new IllegalArgumentException("the chat template is empty; pass a built-in name such as chatml "
                    + "(ChatTemplate.builtIn() lists them) or a model's tokenizer.chat_template");
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("the conversation is empty; pass at least one message");
        }
        requireNoNul(template, "the chat template");
        for (int i = 0; i < messages.size(); i++) {
            requireNoNul(messages.get(i).role(), "the role of message " + i);
            requireNoNul(messages.get(i).content(), "the content of message " + i);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chat = arena.allocate(MESSAGE, messages.size());
            for (int i = 0; i < messages.size(); i++) {
                MemorySegment message = chat.asSlice(i * MESSAGE.byteSize(), MESSAGE.byteSize());
                message.set(ValueLayout.ADDRESS, 0, arena.allocateFrom(messages.get(i).role()));
                message.set(ValueLayout.ADDRESS, ValueLayout.ADDRESS.byteSize(),
                        arena.allocateFrom(messages.get(i).content()));
            }
            MemorySegment name = arena.allocateFrom(template);
            int capacity = 256;
            for (int attempt = 0; attempt < 2; attempt++) {
                MemorySegment buffer = arena.allocate(capacity);
                int n = LlamaApi.llama_chat_apply_template(name, chat, messages.size(), addAssistant, buffer, capacity);
                if (n < 0) {
                    throw new IllegalArgumentException("llama.cpp does not recognise the chat template "
                            + shortened(template) + "; it knows " + String.join(", ", builtIn())
                            + " (by name or by their Jinja text)");
                }
                if (n <= capacity) {
                    return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                }
                capacity = n;
            }
        }
        throw new LlamaException("llama.cpp's chat template " + shortened(template) + " gave texts of two lengths");
    }

    /** The names of the templates llama.cpp formats with its own code. */
    public static List<String> builtIn() {
        NativeLibraries.shim();
        int count = LlamaApi.llama_chat_builtin_templates(MemorySegment.NULL, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment names = arena.allocate(ValueLayout.ADDRESS, Math.max(1, count));
            int n = Math.min(count, LlamaApi.llama_chat_builtin_templates(names, count));
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(Downcalls.string(names.getAtIndex(ValueLayout.ADDRESS, i)));
            }
            return List.copyOf(out);
        }
    }

    /** C strings end at the first NUL: text after one would be dropped without a word. */
    private static void requireNoNul(String text, String what) {
        int at = text.indexOf('\0');
        if (at >= 0) {
            throw new IllegalArgumentException(what + " holds a NUL character (U+0000) at index " + at
                    + ", which a C string cannot carry; remove it");
        }
    }

    private static String shortened(String template) {
        String oneLine = template.replace("\n", "\\n");
        return "'" + (oneLine.length() > 60 ? oneLine.substring(0, 60) + "...'" : oneLine + "'");
    }
}
