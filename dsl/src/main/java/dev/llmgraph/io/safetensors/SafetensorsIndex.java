package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.BoundedJson;
import dev.llmgraph.io.hf.JsonErrors;
import dev.llmgraph.io.hf.HfConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code model.safetensors.index.json}, the table of a checkpoint split into shards:
 * <pre>
 *  {"metadata": {"total_size": bytes of tensor data}, "weight_map": {tensor name: shard file name, ...}}
 * </pre>
 * Shards are named relative to the index's folder and must stay inside it.
 */
final class SafetensorsIndex {
    static final String FILE_NAME = "model.safetensors.index.json";

    private SafetensorsIndex() {}

    /** Tensor name to shard file, in the index's order. */
    static Map<String, Path> read(Path index) {
        JsonNode root;
        try {
            root = HfConfig.JSON.readTree(BoundedJson.read(index, "a shard index",
                    problem -> new SafetensorsException(index, null, problem)));
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(index, null, "the index is not valid JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException(index + ": cannot read the index (" + e + ")", e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsException(index, null, "the index has no \"weight_map\" object of tensor names and "
                    + "shard files");
        }
        Path folder = index.toAbsolutePath().getParent();
        Map<String, Path> shards = new LinkedHashMap<>();
        for (var entry : map.properties()) {
            JsonNode file = entry.getValue();
            Path shard = file.isTextual() ? folder.resolve(file.textValue()).normalize() : null;
            if (shard == null || file.textValue().isEmpty() || !shard.startsWith(folder)) {
                throw new SafetensorsException(index, entry.getKey(), "the weight_map entry = " + file + " must name a "
                        + "shard file in " + folder);
            }
            refuseLinkOutside(index, entry.getKey(), file.textValue(), folder, shard);
            shards.put(entry.getKey(), shard);
        }
        return shards;
    }

    /**
     * A shard that is a symbolic link must lead to a file inside the index's folder, or (the layout of a Hugging
     * Face cache) from {@code snapshots/<revision>/} to the cache's {@code blobs/}; a link elsewhere is refused,
     * since the index would read a file its folder does not hold.
     */
    private static void refuseLinkOutside(Path index, String tensor, String name, Path folder, Path shard) {
        if (!Files.exists(shard)) {
            return; // the loader says that the shard does not exist
        }
        try {
            Path real = shard.toRealPath();
            if (real.startsWith(folder.toRealPath()) || isHubBlob(folder, real)) {
                return;
            }
            throw new SafetensorsException(index, tensor, "the weight_map entry = \"" + name + "\" is a symbolic link "
                    + "to " + real + ", outside " + folder + "; copy the shard into the folder");
        } catch (IOException e) {
            throw new UncheckedIOException(shard + ": cannot follow the link (" + e + ")", e);
        }
    }

    private static boolean isHubBlob(Path folder, Path real) throws IOException {
        Path snapshots = folder.getParent();
        if (snapshots == null || snapshots.getFileName() == null || !snapshots.getFileName().toString().equals("snapshots")
                || snapshots.getParent() == null) {
            return false;
        }
        Path blobs = snapshots.getParent().resolve("blobs");
        return Files.isDirectory(blobs) && real.startsWith(blobs.toRealPath());
    }

    /** Writes the index for {@code shards} (tensor name to shard file name). */
    static void write(Path index, Map<String, String> shards, long totalSize) {
        ObjectNode root = HfConfig.JSON.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = root.putObject("weight_map");
        shards.forEach(map::put);
        try {
            Files.writeString(index, HfConfig.JSON.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(index + ": cannot write the index (" + e + ")", e);
        }
    }
}
