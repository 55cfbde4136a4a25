package dev.llmgraph.io.safetensors;

import dev.llmgraph.io.hf.HfConfig;
import dev.llmgraph.io.hf.HfConfigException;
import dev.llmgraph.io.hf.HfModelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Files made to hurt the reader: shards outside the checkpoint's folder (by name or by symbolic link), headers
 * that declare terabytes of tensors or hundreds of thousands of keys, a config.json of a gigabyte of
 * whitespace or nested 100,000 deep. Each is refused in words before anything large is allocated; the big
 * inputs are generated as streams or sparse files, never written out.
 */
class HostileFilesTest {
    @TempDir
    Path dir;

    private static String refusal(Path path) {
        return assertThrows(SafetensorsException.class, () -> {
            try (SafetensorsWeights w = SafetensorsWeights.open(path, HfModelType.LLAMA)) {
                fail("opened " + w);
            }
        }).getMessage();
    }

    @Test
    void aShardNamedOutsideTheFolderIsRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("checkpoint"));
        new HandWrittenSafetensors().f32("lm_head.weight", new long[] {2}, i -> i).write(dir.resolve("outside.safetensors"));
        Path index = Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"lm_head.weight\":\"sub/../../outside.safetensors\"}}");
        assertEquals(index + ": tensor 'lm_head.weight': the weight_map entry = \"sub/../../outside.safetensors\" must "
                + "name a shard file in " + folder.toAbsolutePath(), refusal(folder));
    }

    @Test
    void aShardLinkedOutsideTheFolderIsRefused_aLinkInsideOrIntoAHubCachesBlobsIsFollowed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("checkpoint"));
        Path outside = new HandWrittenSafetensors().f32("lm_head.weight", new long[] {2}, i -> i)
                .write(dir.resolve("secret.safetensors"));
        Files.createSymbolicLink(folder.resolve("shard.safetensors"), outside);
        Path index = Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"lm_head.weight\":\"shard.safetensors\"}}");
        assertEquals(index + ": tensor 'lm_head.weight': the weight_map entry = \"shard.safetensors\" is a symbolic "
                + "link to " + outside.toRealPath() + ", outside " + folder.toAbsolutePath() + "; copy the shard into the "
                + "folder", refusal(folder));

        Path inside = Files.createDirectories(dir.resolve("linked-inside"));
        Files.copy(outside, inside.resolve("real.safetensors"));
        Files.createSymbolicLink(inside.resolve("shard.safetensors"), inside.resolve("real.safetensors"));
        Files.copy(index, inside.resolve("model.safetensors.index.json"));
        try (SafetensorsWeights w = SafetensorsWeights.open(inside, HfModelType.LLAMA)) {
            assertEquals(java.util.Set.of("lm_head.weight"), w.tensorNames());
        }

        // huggingface_hub's cache: models--org--name/snapshots/<revision>/shard -> ../../blobs/<hash>
        Path repo = dir.resolve("models--org--tiny");
        Path blob = Files.copy(outside, Files.createDirectories(repo.resolve("blobs")).resolve("0123abcd"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("main"));
        Files.createSymbolicLink(snapshot.resolve("shard.safetensors"), Path.of("../../blobs/0123abcd"));
        Files.copy(index, snapshot.resolve("model.safetensors.index.json"));
        try (SafetensorsWeights w = SafetensorsWeights.open(snapshot, HfModelType.LLAMA)) {
            assertEquals(java.util.Set.of("lm_head.weight"), w.tensorNames(), "read through the link to " + blob);
        }
    }

    @Test
    void aHeaderDeclaringTerabytesIsRefusedBeforeAnyAllocation() {
        Path file = HandWrittenSafetensors.write(dir.resolve("huge.safetensors"), "{\"lm_head.weight\":{\"dtype\":\"F32\","
                + "\"shape\":[1000000,1000000],\"data_offsets\":[0,4000000000000]}}", new byte[16]);
        assertEquals(file + ": tensor 'lm_head.weight': data_offsets [0, 4000000000000] run past the end of the data "
                + "(16 bytes follow the header)", refusal(file));
        Path length = HandWrittenSafetensors.writeWithLength(dir.resolve("length.safetensors"), 1L << 40,
                "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertEquals(length + ": the header length 1099511627776 runs past the end of the file (2 bytes follow the "
                + "8-byte length)", refusal(length));
    }

    @Test
    void aHeaderOfMoreThan100000KeysIsRefusedBeforeItBecomesATree() {
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i <= SafetensorsFile.MAX_TENSORS; i++) {
            header.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],")
                    .append("\"data_offsets\":[0,0]}");
        }
        Path file = HandWrittenSafetensors.write(dir.resolve("keys.safetensors"), header.append('}').toString(),
                new byte[0]);
        assertEquals(file + ": the header lists more than 100000 tensors (it was not read further); a checkpoint of "
                + "that many tensors is split into shards with an index", refusal(file));
    }

    /** {@code size} bytes of spaces, made as they are read, counting how many were. */
    private static final class Whitespace extends InputStream {
        private final long size;
        long read;

        Whitespace(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (read >= size) {
                return -1;
            }
            read++;
            return ' ';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = (int) Math.min(len, size - read);
            if (n <= 0) {
                return -1;
            }
            java.util.Arrays.fill(b, off, off + n, (byte) ' ');
            read += n;
            return n;
        }
    }

    @Test
    void aGigabyteOfWhitespaceIsRefusedAfterReading16MiB() throws IOException {
        Whitespace gigabyte = new Whitespace(1L << 30);
        HfConfigException e = assertThrows(HfConfigException.class, () -> HfConfig.parse(gigabyte, "config.json"));
        assertEquals("config.json: is larger than 16 MiB, far more than a config.json needs; it is damaged or not a "
                + "config.json", e.getMessage());
        assertEquals((16 << 20) + 1, gigabyte.read, "bytes read before the refusal");

        Path sparse = dir.resolve("config.json");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(1L << 30); // a sparse gigabyte: nothing is written
        }
        assertEquals(sparse + ": is larger than 16 MiB, far more than a config.json needs; it is damaged or not a "
                + "config.json", assertThrows(HfConfigException.class, () -> HfConfig.read(sparse)).getMessage());
    }

    @Test
    void anEmptyConfigOrHeaderSaysSo() {
        assertEquals("config.json: holds nothing, not an object of settings",
                assertThrows(HfConfigException.class, () -> HfConfig.parse("  ", "config.json")).getMessage());
        Path file = HandWrittenSafetensors.write(dir.resolve("empty.safetensors"), "  ", new byte[0]);
        assertEquals(file + ": the header holds nothing, not an object of tensors", refusal(file));
    }

    @Test
    void aConfigNested100000DeepIsRefusedInWords() {
        String deep = "{\"model_type\":\"llama\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertEquals("config.json: is not valid JSON: the JSON nests objects and arrays more than 1000 deep; a config "
                + "or header needs fewer than 10 levels",
                assertThrows(HfConfigException.class, () -> HfConfig.parse(deep, "config.json")).getMessage());
        Path file = HandWrittenSafetensors.write(dir.resolve("deep.safetensors"),
                "{\"a\":" + "{\"b\":".repeat(5000) + "1" + "}".repeat(5001), new byte[0]);
        assertEquals(file + ": the header is not valid JSON: the JSON nests objects and arrays more than 1000 deep; a "
                + "config or header needs fewer than 10 levels", refusal(file));
    }

    @Test
    void anExportNeverWritesThroughALinkInItsFolder() throws IOException {
        Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
        for (String name : java.util.List.of("model.safetensors", "config.json")) {
            Path folder = Files.createDirectories(dir.resolve("export-" + name));
            Path link = Files.createSymbolicLink(folder.resolve(name), precious);
            try (var model = dev.llmgraph.model.Model.random(dev.llmgraph.presets.Presets.byName("tiny-llama-2-7b"), 1)) {
                var e = assertThrows(IllegalArgumentException.class, () -> SafetensorsExport.write(model, folder));
                assertEquals(link + " is a symbolic link to " + precious + "; an export writes only inside the folder "
                        + "you name and never through a link: remove the link, or export to another folder",
                        e.getMessage());
            }
            assertEquals("keep me", Files.readString(precious), "nothing written through " + link);
        }
    }
}
