package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.OutputFiles;
import dev.llmgraph.io.hf.HfTensor;
import dev.llmgraph.io.hf.HfNames;
import dev.llmgraph.io.hf.HfModelType;
import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.ggml.FileRegion;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.model.Model;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a model as a Hugging Face checkpoint: {@code config.json} and the weights in safetensors, with the
 * names and layouts of the model type {@link HfConfig#modelTypeFor} picks (see {@link HfNames}).
 * <pre>{@code
 * SafetensorsExport.write(model, Path.of("out"));      // out/config.json, out/model.safetensors
 * }</pre>
 * Each HF tensor keeps its weights' type when that is F32, F16 or BF16; quantized weights (and a fused
 * tensor whose parts differ in type) are written as F32, which holds every dequantized value exactly. Bytes
 * go from backend memory straight into the mapped file when the types match. A checkpoint larger than
 * {@code maxShardBytes} is split into {@code model-0000k-of-0000n.safetensors} shards listed in
 * {@code model.safetensors.index.json}, as HF's {@code save_pretrained} does; a stale index of an earlier
 * sharded export in the same folder is removed, since readers prefer the index.
 */
public final class SafetensorsExport {
    /** HF's own default shard size, 5 GB. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private SafetensorsExport() {}

    /** Writes {@code model} to {@code dir}, in one file up to 5 GB; returns the files written. */
    public static List<Path> write(Model model, Path dir) {
        return write(model, dir, null, DEFAULT_MAX_SHARD_BYTES);
    }

    /**
     * Writes {@code model} to {@code dir} with every tensor as {@code dtype} (F32, F16 or BF16; null keeps each
     * weight's type as described above), in shards of at most {@code maxShardBytes} (a larger tensor gets a
     * shard of its own). Returns the files written.
     */
    public static List<Path> write(Model model, Path dir, GgmlType dtype, long maxShardBytes) {
        ModelSpec spec = model.spec();
        HfModelType type = HfConfig.modelTypeFor(spec);
        SafetensorsDtype forced = dtype == null ? null : SafetensorsDtype.of(dtype);
        List<SafetensorsWriter.Planned> planned = new ArrayList<>();
        Set<String> gainMinusOne = WeightLayout.of(spec).stream()
                .filter(w -> SafetensorsWeights.gainStoredMinusOne(type, w)).map(WeightLayout.Weight::name)
                .collect(Collectors.toSet());
        for (HfTensor t : HfNames.tensors(type, spec)) {
            SafetensorsDtype fileType = forced != null ? forced : dtypeOf(model, t);
            planned.add(new SafetensorsWriter.Planned(t.name(), fileType, t.shape(), (file, offset) -> {
                for (HfTensor.Part part : t.parts()) {
                    FileRegion region = part.region(offset, fileType.bytes());
                    if (gainMinusOne.contains(part.weight())) {   // Gemma's norms: the file holds gain - 1
                        file.write(SafetensorsWeights.shifted(model.weight(part.weight()), -1), fileType.ggmlType(),
                                (FileRegion.Blocks) region);
                    } else {
                        file.copyFrom(model.weightTensor(part.weight()), fileType.ggmlType(), region);
                    }
                }
            }));
        }
        try {
            Files.createDirectories(dir);
            List<Path> written = writeShards(dir, planned, maxShardBytes);
            written.add(HfConfig.writeForCheckpoint(spec, type, planned.getFirst().dtype().torchName(), dir));
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the checkpoint (" + e + ")", e);
        }
    }

    private static List<Path> writeShards(Path dir, List<SafetensorsWriter.Planned> planned, long maxShardBytes)
            throws IOException {
        List<List<SafetensorsWriter.Planned>> shards = new ArrayList<>();
        long size = 0;
        for (SafetensorsWriter.Planned p : planned) {
            if (shards.isEmpty() || size > 0 && size + p.bytes() > maxShardBytes) {
                shards.add(new ArrayList<>());
                size = 0;
            }
            shards.getLast().add(p);
            size += p.bytes();
        }
        Map<String, String> metadata = Map.of("format", "pt");
        List<Path> written = new ArrayList<>();
        Path index = dir.resolve(SafetensorsIndex.FILE_NAME);
        if (shards.size() == 1) {
            Files.deleteIfExists(index);
            written.add(OutputFiles.plain(dir.resolve("model.safetensors")));
            SafetensorsWriter.write(written.getFirst(), metadata, shards.getFirst());
            return written;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            written.add(OutputFiles.plain(dir.resolve(name)));
            total += SafetensorsWriter.write(written.getLast(), metadata, shards.get(i));
            shards.get(i).forEach(p -> weightMap.put(p.name(), name));
        }
        SafetensorsIndex.write(OutputFiles.plain(index), weightMap, total);
        written.add(index);
        return written;
    }

    /** The weights' common type when it is F32, F16 or BF16; F32 otherwise. */
    private static SafetensorsDtype dtypeOf(Model model, HfTensor t) {
        GgmlType first = model.weightType(t.parts().getFirst().weight());
        boolean same = t.parts().stream().allMatch(p -> model.weightType(p.weight()) == first);
        return same && first.isFloat() ? SafetensorsDtype.of(first) : SafetensorsDtype.F32;
    }
}
