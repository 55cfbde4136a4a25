package dev.llmgraph.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the tests of GPU messages share: stand-ins for nvidia-smi and nvcc (small scripts that print what the real ones
 * print, so that a machine without a GPU can play one), and running a command with its output and errors together.
 */
public final class StandIns {
    private StandIns() {}

    /** A command's exit status and its output and errors, together. */
    public record Result(int status, String output) {
        public List<String> lines() {
            return output.lines().toList();
        }
    }

    /** An executable bash script {@code file} with {@code body}. */
    public static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A CUDA 13.0 nvcc in {@code bin} that answers {@code --version} as the real one does. */
    public static void nvcc13(Path bin) throws IOException {
        script(bin.resolve("nvcc"), "echo 'Cuda compilation tools, release 13.0, V13.0.88'");
    }

    /** Starts {@code builder} with its output in a file under {@code logs}; fails past two minutes. */
    public static Result finish(ProcessBuilder builder, Path logs) throws IOException, InterruptedException {
        Path log = Files.createTempFile(logs, "run", ".log");
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(builder.command() + " ran past 2 minutes:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
