package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Backend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link GgufFuzzTest}: loads fuzz cases one after the other and reports each on stdout,
 * so that a native crash kills only this process and the parent learns which case did it.
 *
 * <p>Arguments: seed, first case, end case (exclusive), work folder, seed files. Output lines:
 * {@code CASE id} before a case is loaded, then {@code CLEAN id} or {@code REJECTED id Class: message},
 * and {@code DONE} at the end.
 */
public final class GgufFuzzChild {
    private GgufFuzzChild() {}

    public static void main(String[] args) throws IOException {
        long seed = Long.parseLong(args[0]);
        int from = Integer.parseInt(args[1]);
        int to = Integer.parseInt(args[2]);
        Path work = Path.of(args[3]);
        List<byte[]> originals = new ArrayList<>();
        List<List<GgufFieldMap.Field>> fields = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            byte[] bytes = Files.readAllBytes(Path.of(args[i]));
            originals.add(bytes);
            fields.add(GgufFieldMap.of(bytes));
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                java.nio.charset.StandardCharsets.UTF_8);
        Path file = work.resolve("case-" + ProcessHandle.current().pid() + ".gguf");
        try (Backend cpu = Backend.cpu(1)) {
            for (int id = from; id < to; id++) {
                int which = id % originals.size();
                StringBuilder what = new StringBuilder();
                byte[] bytes = GgufMutator.mutate(originals.get(which), fields.get(which), seed, id, what);
                Files.write(file, bytes);
                out.println("CASE " + id + " " + what);
                if (id == Integer.getInteger("llmgraph.fuzz.abortAt", -1)) {
                    abortNatively();
                }
                try {
                    load(file, cpu);
                    out.println("CLEAN " + id);
                } catch (RuntimeException e) {
                    String message = String.valueOf(e.getMessage()).replace('\n', ' ');
                    out.println("REJECTED " + id + " " + e.getClass().getSimpleName() + ": " + message);
                }
            }
        }
        Files.deleteIfExists(file);
        out.println("DONE");
    }

    /** For the harness's own test: a GGML_ASSERT (key id out of range on an empty context) aborts the process. */
    private static void abortNatively() {
        dev.llmgraph.ggml.internal.GgufApi.gguf_get_key(dev.llmgraph.ggml.internal.GgufApi.gguf_init_empty(), 5);
    }

    /** What a user does with a file: open it, read every key, copy every tensor into backend memory. */
    static void load(Path file, Backend backend) {
        try (GgufFile gguf = GgufFile.open(file)) {
            for (var entry : gguf.metadata().entrySet()) {
                readTyped(gguf, entry.getKey(), entry.getValue());
            }
            List<GgufTensorInfo> copyable = gguf.tensors().stream().filter(t -> t.elementCount() > 0).toList();
            if (copyable.isEmpty()) {
                return;
            }
            try (Context ctx = Context.create(copyable.size())) {
                List<Tensor> targets = new ArrayList<>();
                for (GgufTensorInfo info : copyable) {
                    targets.add(ctx.newTensor(info.type(), info.ne()));
                }
                ctx.allocate(backend);
                for (int i = 0; i < copyable.size(); i++) {
                    gguf.copyTo(copyable.get(i).name(), targets.get(i));
                }
            }
        }
    }

    private static void readTyped(GgufFile gguf, String key, GgufValue value) {
        value.describe();
        switch (value) {
            case GgufValue.IntegerValue v when v.type() == GgufValueType.UINT64 && v.value() < 0 -> { }
            case GgufValue.IntegerValue v -> gguf.getLong(key);
            case GgufValue.FloatValue v -> gguf.getDouble(key);
            case GgufValue.BoolValue v -> gguf.getBool(key);
            case GgufValue.StringValue v -> gguf.getString(key);
            case GgufValue.IntegerArray a -> gguf.getLongArray(key);
            case GgufValue.FloatArray a -> gguf.getFloatArray(key);
            case GgufValue.BoolArray a -> gguf.getBoolArray(key);
            case GgufValue.StringArray a -> gguf.getStringArray(key);
        }
    }
}
