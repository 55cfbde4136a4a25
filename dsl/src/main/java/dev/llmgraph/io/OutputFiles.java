package dev.llmgraph.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files an export writes into the folder a user names: never through a symbolic link, which could point
 * anywhere (a checkpoint folder copied from elsewhere may hold one where {@code model.safetensors} or
 * {@code config.json} goes).
 */
public final class OutputFiles {
    private OutputFiles() {}

    /** {@code file}, after checking that it is not a symbolic link; throws, in words, if it is. */
    public static Path plain(Path file) {
        if (Files.isSymbolicLink(file)) {
            String target;
            try {
                target = Files.readSymbolicLink(file).toString();
            } catch (IOException e) {
                target = "a target that cannot be read";
            }
            throw new IllegalArgumentException(file + " is a symbolic link to " + target + "; an export writes only "
                    + "inside the folder you name and never through a link: remove the link, or export to another "
                    + "folder");
        }
        return file;
    }
}
