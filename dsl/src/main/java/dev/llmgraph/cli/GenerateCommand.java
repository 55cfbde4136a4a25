package dev.llmgraph.cli;

import dev.llmgraph.cli.CommandOptions.UsageException;
import dev.llmgraph.ggml.CpuThreads;
import dev.llmgraph.ggml.llama.ChatMessage;
import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.llama.LlamaException;
import dev.llmgraph.ggml.NativeLibraryException;
import dev.llmgraph.ggml.RemoteDeviceException;
import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.TokenizerJsonException;
import dev.llmgraph.io.safetensors.SafetensorsException;
import dev.llmgraph.model.GenerationConfig;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.Placement;
import dev.llmgraph.model.Sampler;
import dev.llmgraph.text.PieceListener;
import dev.llmgraph.text.TextGeneration;
import dev.llmgraph.text.TextModel;
import dev.llmgraph.text.TextToTextModel;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/llmgraph generate (--gguf FILE | --hf DIR) --prompt TEXT [--chat] [-n N] [--temp T] [--seed S]
 * [--backend cpu|cuda] [--threads N]}: text in, text out with a GGUF model and the tokenizer its file holds, or a
 * Hugging Face checkpoint folder and its tokenizer.json ({@link TextModel}); an encoder-decoder (T5) answers its
 * input ({@link TextToTextModel}). The text goes to standard output as it is generated; how many tokens, why
 * generation stopped and its speed go to standard error.
 *
 * <p>Exit codes: 0 done; 2 bad arguments or an unusable prompt (one line on stderr saying which); 1 a file llmgraph
 * cannot read (or one without a tokenizer), or a backend that was not built.
 */
public final class GenerateCommand {
    static final String USAGE = "usage: bin/llmgraph generate (--gguf FILE | --hf DIR) --prompt TEXT [--chat] [-n N] "
            + "[--temp T] [--seed S] [--backend cpu|cuda] [--threads N] [--rpc H:P,H:P [--tensor-split 1,1] "
            + "[--local-layers N]]";
    static final String HELP = (USAGE + """


            Text in, text out: llmgraph runs the GGUF model, and libllama's tokenizer on the file's own vocabulary reads
            the prompt and writes the answer; or a Hugging Face checkpoint with its tokenizer.json, encoded in Java.
            The text is printed as it is generated; a summary (tokens, why generation stopped, speed) goes to standard
            error. Generation stops at an end-of-generation token, after N tokens, or when the context is full.

              --gguf FILE          ARCHITECTURES
              --hf DIR             a Hugging Face checkpoint folder instead: config.json, safetensors weights and a
                                   BPE tokenizer.json, byte-level or SentencePiece-style (with tokenizer_config.json's
                                   end-of-text token and chat template, where it has one); or T5's, with its
                                   Unigram tokenizer.json
              --prompt TEXT        the text to continue, or with --chat the user's message; an encoder-decoder
                                   (T5) writes its answer to it
              --chat               format the prompt with the file's chat template (tokenizer.chat_template), as
                                   chat-tuned models expect
              -n N                 tokens to generate at most (default 64)
              --temp T             sampling temperature; 0 is greedy (default 0)
              --seed S             seed of the sampling draws (default 0)
              --backend cpu|cuda   (default cpu; cuda:N for GPU N)
              --threads N          CPU threads (default: all cores)
            """ + CommandOptions.PLACEMENT_HELP + """

            Exit codes: 0 done, 2 bad arguments or prompt, 1 a file that cannot be read, a backend not built, or an
            RPC server that cannot be reached or went away.
            """).replace("ARCHITECTURES", CommandOptions.description("the model with its tokenizer (architectures "
            + ModelFamily.names(f -> !f.encoder()) + ")"));
    private static final List<String> OPTIONS = CommandOptions.withPlacement(List.of("--gguf", "--hf", "--prompt",
            "-n", "--temp", "--seed", "--backend", "--threads"));

    private GenerateCommand() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The parsed command line. */
    record Arguments(Path model, String prompt, boolean chat, int maxNewTokens, double temperature, long seed,
                     String backend, int threads, Placement placement) {
        GenerationConfig config() {
            return GenerationConfig.of(maxNewTokens, Sampler.temperature(temperature).withSeed(seed));
        }
    }

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        var parsed = CommandOptions.parse("generate", args, HELP, USAGE, GenerateCommand::parse, out, err);
        if (parsed.done()) {
            return parsed.exitCode();
        }
        Arguments arguments = parsed.arguments();
        ModelOptions options = ModelOptions.cpu().withBackend(arguments.backend()).withThreads(arguments.threads())
                .withPlacement(arguments.placement());
        PieceListener printed = new PieceListener() {
            @Override
            public void piece(String text) {
                out.print(text);
                out.flush();
            }

            @Override
            public void end() {
                out.println();
                out.flush();
            }
        };
        try {
            TextGeneration generation;
            if (TextToTextModel.holdsEncoderDecoder(arguments.model())) {
                if (arguments.chat()) {
                    err.println("llmgraph generate: --chat: " + arguments.model() + " is an encoder-decoder (T5), "
                            + "which answers its input as it is, without a chat template; drop --chat");
                    return 2;
                }
                try (TextToTextModel model = TextToTextModel.load(arguments.model(), options)) {
                    generation = model.generate(arguments.prompt(), arguments.config(), printed);
                }
            } else {
                try (TextModel model = TextModel.load(arguments.model(), options)) {
                    if (arguments.chat() && model.tokenizer().chatTemplate().isEmpty()) {
                        err.println("llmgraph generate: --chat: " + arguments.model() + " has no chat template (key "
                                + "tokenizer.chat_template), so it is not a chat-tuned model; drop --chat to continue "
                                + "the prompt");
                        return 2;
                    }
                    generation = arguments.chat()
                            ? model.chat(List.of(ChatMessage.user(arguments.prompt())), arguments.config(), printed)
                            : model.generate(arguments.prompt(), arguments.config(), printed);
                }
            }
            err.println("llmgraph generate: " + summary(generation));
            return 0;
        } catch (GgufException | LlamaException | NativeLibraryException | RemoteDeviceException | HfConfigException
                 | SafetensorsException | TokenizerJsonException e) {
            // a file llmgraph or libllama cannot read, one without a tokenizer, a backend that was not built, a server
            err.println("llmgraph generate: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            // an empty prompt, one longer than the context, text that is not text, an unknown backend
            err.println("llmgraph generate: " + e.getMessage());
            return 2;
        }
    }

    /** {@code 12 tokens after a prompt of 5, stopped: max tokens (12); 80.3 tok/s}. */
    static String summary(TextGeneration generation) {
        int tokens = generation.ids().length;
        double speed = generation.generation().tokensPerSecond();
        return tokens + " token" + (tokens == 1 ? "" : "s") + " after a prompt of " + generation.promptIds().length
                + ", stopped: " + generation.stopped()
                + (Double.isNaN(speed) ? "" : String.format(Locale.ROOT, "; %.1f tok/s", speed));
    }

    static Arguments parse(String[] args) {
        Map<String, String> values = CommandOptions.values(args, OPTIONS, List.of("--chat"), List.of("--prompt"));
        Path model = CommandOptions.checkpointOrGguf(values);
        int maxNewTokens = values.containsKey("-n") ? CommandOptions.integer("-n", values.get("-n")) : 64;
        if (maxNewTokens < 1) {
            throw new UsageException("-n " + maxNewTokens + ": must be at least 1");
        }
        double temperature = values.containsKey("--temp") ? CommandOptions.decimal("--temp", values.get("--temp")) : 0;
        if (!(temperature >= 0)) {
            throw new UsageException("--temp " + values.get("--temp") + ": must be 0 (greedy) or positive");
        }
        long seed = values.containsKey("--seed") ? CommandOptions.longInteger("--seed", values.get("--seed")) : 0;
        return new Arguments(model, values.get("--prompt"), values.containsKey("--chat"), maxNewTokens, temperature,
                seed, CommandOptions.backend(values), CommandOptions.threads(values,
                CpuThreads.perCore()), CommandOptions.placement(values));
    }
}
