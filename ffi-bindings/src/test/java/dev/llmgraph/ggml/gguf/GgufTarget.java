package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.ggml.Context;
import dev.llmgraph.ggml.Backend;
import dev.llmgraph.fuzz.FuzzTarget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GGUF files under fuzzing: case {@code id} is one of the seed files ({@link GgufFuzzTest#seedFiles}) mutated by
 * {@link GgufMutator}, then opened, read and copied into backend tensors ({@link #load}). Refusals must be
 * {@link GgufException}s with a message.
 */
final class GgufTarget implements FuzzTarget {
    private final List<byte[]> originals = new ArrayList<>();
    private final List<List<GgufFieldMap.Field>> fields = new ArrayList<>();
    private final Backend cpu = Backend.cpu(1);
    private final Path file;

    GgufTarget(Path work) throws IOException {
        for (Path seed : GgufFuzzTest.seedFiles(Files.createDirectories(work.resolve("gguf-seeds-" + pid())))) {
            byte[] bytes = Files.readAllBytes(seed);
            originals.add(bytes);
            fields.add(GgufFieldMap.of(bytes));
        }
        file = work.resolve("case-" + pid() + ".gguf");
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public void run(long seed, int id, Path work, StringBuilder what) throws IOException {
        int which = id % originals.size();
        Files.write(file, GgufMutator.mutate(originals.get(which), fields.get(which), seed, id, what));
        load(file, cpu);
    }

    @Override
    public boolean isOwnRefusal(Throwable refusal) {
        return refusal instanceof GgufException;
    }

    @Override
    public void close() throws IOException {
        cpu.close();
        Files.deleteIfExists(file);
    }

    /**
     * What a user does with a file: open it, read every key, copy every tensor into backend memory; and before that,
     * ggml's reader must agree with the Java walk on the file it accepted.
     */
    static void load(Path file, Backend backend) {
        try (GgufFile gguf = GgufFile.open(file)) {
            GgmlGgufReference.checkAgrees(gguf);
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
