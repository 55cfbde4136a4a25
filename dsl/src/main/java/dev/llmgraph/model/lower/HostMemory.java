package dev.llmgraph.model.lower;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How much memory this machine can still give a new allocation: Linux's {@code MemAvailable}, which counts free
 * memory and the page cache the kernel can drop. ("Free" alone understates it; the total overstates it.)
 */
public final class HostMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private HostMemory() {}

    /** Bytes available now, or empty where the system does not say (not Linux). */
    public static OptionalLong available() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);   // the file counts kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format this code does not know: no check rather than a wrong one
        }
        return OptionalLong.empty();
    }
}
