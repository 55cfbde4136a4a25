package dev.llmgraph.text;

import dev.llmgraph.display.Display;
import dev.llmgraph.display.DisplaySink;
import dev.llmgraph.ggml.llama.ChatMessage;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Sampler;
import dev.llmgraph.model.StopReason;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.tokenize.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text in, text out through a model, end to end on {@link TinyTextModel}: the GGUF-loaded model reads the prompt
 * with libllama's tokenizer on the file's vocabulary, which must give the Java encoder's ids; the streamed pieces
 * must make the returned text, and the Java decoder must read the generated ids as that text (random weights
 * generate byte tokens that split UTF-8 characters, which this checks too). The same weights with the Java
 * tokenizer attached must generate the same ids and text.
 */
class TextModelTest {
    private static final String PROMPT = "The model reads text: 大语言模型, café, and a KV cache.";
    private static final ModelOptions CPU = ModelOptions.cpu().withThreads(2);

    @TempDir
    static Path dir;
    static BpeTokenizer bpe;
    static Path gguf;

    @BeforeAll
    static void writeTheModel() {
        bpe = TinyTextModel.bpe();
        gguf = TinyTextModel.write(bpe, dir.resolve("tiny-text.gguf"));
    }

    /** Records the pieces a generation streams, and that it ended once. */
    static final class Recorder implements PieceListener {
        final List<String> pieces = new ArrayList<>();
        int ends;

        @Override
        public void piece(String text) {
            pieces.add(text);
        }

        @Override
        public void end() {
            ends++;
        }
    }

    @Test
    void aGgufModelReadsAndWritesTextWithItsOwnVocabulary() {
        GenerationConfig config = GenerationConfig.of(40, Sampler.temperature(1.0).withSeed(3));
        TextGeneration fromFile;
        Recorder heard = new Recorder();
        try (TextModel model = TextModel.load(gguf, CPU)) {
            fromFile = model.generate(PROMPT, config, heard);
            assertArrayEquals(bpe.encode(PROMPT), fromFile.promptIds(), "libllama's ids against the Java encoder's");
            assertArrayEquals(new int[] {bpe.specialId(TinyTextModel.END_OF_TEXT), bpe.specialId(TinyTextModel.IM_END)},
                    model.tokenizer().endOfGeneration(), "llama.cpp ends generation at EOS and at <|im_end|>");
            assertEquals(fromFile.text(), model.decode(textIds(fromFile)));
        }
        assertEquals(1, heard.ends);
        assertEquals(fromFile.text(), String.join("", heard.pieces));
        assertEquals(bpe.decode(textIds(fromFile)), fromFile.text(), "the Java decoder reads the ids as that text");
        assertTrue(fromFile.ids().length == 40 || fromFile.stopReason() == StopReason.STOP_TOKEN, fromFile.toString());
        assertEquals(PROMPT, fromFile.prompt());

        try (TextModel model = TextModel.of(TinyTextModel.model(bpe),
                TextTokenizer.of(bpe, TinyTextModel.END_OF_TEXT, TinyTextModel.IM_END))) {
            TextGeneration inJava = model.generate(PROMPT, config, PieceListener.NONE);
            assertArrayEquals(fromFile.ids(), inJava.ids(), "the same weights with the Java tokenizer");
            assertEquals(fromFile.text(), inJava.text());
        }
    }

    @Test
    void inANotebookTheTextGrowsInOneDisplay() {
        List<String> calls = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        Display.install(new DisplaySink() {
            @Override
            public void display(Map<String, String> bundle, String displayId) {
                calls.add("display " + displayId);
                shown.add(bundle.get("text/plain"));
            }

            @Override
            public void update(Map<String, String> bundle, String displayId) {
                calls.add("update " + displayId);
                shown.add(bundle.get("text/plain"));
            }

            @Override
            public boolean supportsUpdates() {
                return true;
            }
        });
        TextGeneration g;
        try (TextModel model = TextModel.load(gguf, CPU)) {
            g = model.generate(PROMPT, GenerationConfig.of(30, Sampler.temperature(1.0).withSeed(4)));
        } finally {
            Display.reset();
        }
        assertTrue(calls.getFirst().startsWith("display llmgraph-text-"), calls.toString());
        String id = calls.getFirst().substring("display ".length());
        assertTrue(calls.stream().skip(1).allMatch(("update " + id)::equals), calls.toString());
        assertEquals(g.text(), shown.getLast());
    }

    /** The generated ids whose pieces are text: all but a final stop token. */
    private static int[] textIds(TextGeneration g) {
        int n = g.ids().length - (g.stopReason() == StopReason.STOP_TOKEN ? 1 : 0);
        return Arrays.copyOf(g.ids(), n);
    }

    @Test
    void chatFormatsTheConversationWithTheFilesTemplate() {
        String expected = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is a KV cache?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be brief."), ChatMessage.user("What is a KV cache?"));
        try (TextModel model = TextModel.load(gguf, CPU)) {
            TextGeneration g = model.chat(conversation, GenerationConfig.greedy(8), PieceListener.NONE);
            assertEquals(expected, g.prompt());
            BpeTextTokenizer java = TextTokenizer.of(bpe).withChatTemplate("chatml");
            int[] ids = java.encode(expected, true, true);
            assertArrayEquals(ids, g.promptIds(), "libllama's ids of the templated text against the Java encoder's");
            assertEquals(bpe.specialId(TinyTextModel.IM_START), ids[0]);
            assertEquals(5, Arrays.stream(ids).filter(id -> id >= 256 + bpe.merges().size()).count(),
                    "three turns opened (the assistant's too) and two closed, by special tokens");
        }
    }

    @Test
    void aStopTokenEndsTheTextBeforeIt() {
        try (TextModel model = TextModel.load(gguf, CPU)) {
            TextGeneration free = model.generate(PROMPT, GenerationConfig.greedy(6), PieceListener.NONE);
            int stop = free.ids()[3];
            int first = Arrays.stream(free.ids()).boxed().toList().indexOf(stop);
            Recorder heard = new Recorder();
            TextGeneration stopped = model.generate(PROMPT, GenerationConfig.greedy(6).withStopTokens(stop), heard);
            assertEquals(StopReason.STOP_TOKEN, stopped.stopReason());
            assertArrayEquals(Arrays.copyOf(free.ids(), first + 1), stopped.ids());
            assertEquals(bpe.decode(Arrays.copyOf(free.ids(), first)), stopped.text());
            assertEquals(stopped.text(), String.join("", heard.pieces));
        }
    }

    @Test
    void generationReachingTheContextLimitStopsAndSaysSo() {
        try (TextModel model = TextModel.load(gguf, CPU.withContextLength(48))) {
            TextGeneration g = model.generate(PROMPT, GenerationConfig.greedy(50), PieceListener.NONE);
            assertEquals(StopReason.CONTEXT_FULL, g.stopReason());
            assertEquals(48 - g.promptIds().length + 1, g.ids().length);
            assertEquals("context full (48 tokens, prompt included; maxNewTokens was not reached)", g.stopped());
            assertEquals(bpe.decode(g.ids()), g.text());
        }
    }

    @Test
    void badInputIsRefusedInWords() {
        try (TextModel model = TextModel.load(gguf, CPU.withContextLength(24))) {
            assertEquals("the prompt is empty; give the text the model should continue", assertThrows(
                    IllegalArgumentException.class, () -> model.generate("", GenerationConfig.greedy(4))).getMessage());
            String longPrompt = "attention ".repeat(30);
            int tokens = bpe.encode(longPrompt).length;
            assertEquals("the prompt is " + tokens + " tokens long, more than the context length of 24 tokens; shorten "
                    + "it, or raise the context length (ModelOptions.withContextLength, at most the spec's "
                    + "contextLength 128)", assertThrows(IllegalArgumentException.class,
                    () -> model.generate(longPrompt, GenerationConfig.greedy(4))).getMessage());
            assertEquals("the prompt holds a lone UTF-16 surrogate U+D800 at index 3, which is not text (no UTF-8 "
                    + "form); remove it or read the text with a strict UTF-8 decoder", assertThrows(
                    IllegalArgumentException.class, () -> model.generate("abc\uD800", GenerationConfig.greedy(4)))
                    .getMessage());
            assertEquals("the user message is empty; give the text the model should continue", assertThrows(
                    IllegalArgumentException.class, () -> model.chat("", GenerationConfig.greedy(4))).getMessage());
        }
        assertEquals("maxNewTokens = 0: must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> GenerationConfig.greedy(0)).getMessage());
    }

    @Test
    void aModelWithoutATokenizerOrOfAnotherVocabularyIsRefusedInWords() {
        Path idsOnly = dir.resolve("ids-only.gguf");
        try (Model small = Model.random(TinyTextModel.spec(bpe).withVocabSize(100), WeightInit.lecun(1), CPU)) {
            GgufModels.write(small, idsOnly); // under 256 tokens: tokenizer.ggml.model = none
            assertEquals(idsOnly + ": has no tokenizer (tokenizer.ggml.model is 'none'); its model runs on token ids "
                    + "(GgufModels.load), or give it a tokenizer: TextModel.of(model, tokenizer), or write it with one: "
                    + "GgufModels.write(model, path, vocabulary)", assertThrows(GgufException.class,
                    () -> TextModel.load(idsOnly, CPU)).getMessage());
            assertEquals("the tokenizer has 600 tokens but tiny-text-llama has vocabSize 100; a model reads and writes "
                    + "text only with a tokenizer of one token per logit: build the spec with vocabSize(600)",
                    assertThrows(IllegalArgumentException.class, () -> TextModel.of(small, TextTokenizer.of(bpe)))
                            .getMessage());
            assertEquals("the vocabulary has 600 tokens but tiny-text-llama has vocabSize 100; a model written with a "
                    + "vocabulary needs one embedding row and one logit per token: build the spec with vocabSize(600)",
                    assertThrows(IllegalArgumentException.class,
                            () -> GgufModels.write(small, dir.resolve("x.gguf"), bpe)).getMessage());
        }
        try (TextModel model = TextModel.of(TinyTextModel.model(bpe), TextTokenizer.of(bpe))) {
            assertEquals("the tokenizer (Java BpeTokenizer(600 tokens, 341 merges, 3 special, pre-tokenizer gpt-2)) has no chat "
                    + "template (key tokenizer.chat_template): this is not a chat-tuned model's vocabulary; use "
                    + "generate(prompt, ...), or give a Java tokenizer one with withChatTemplate(\"chatml\")",
                    assertThrows(IllegalStateException.class, () -> model.chat("hi", GenerationConfig.greedy(2)))
                            .getMessage());
        }
    }
}
