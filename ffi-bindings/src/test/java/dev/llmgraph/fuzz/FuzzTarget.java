package dev.llmgraph.fuzz;

import java.nio.file.Path;

/**
 * One input format under fuzzing: case {@code id} of a seeded run is made from the seed and the id alone (so
 * any case can be rerun by itself), then used the way a person would use such an input.
 *
 * <p>A target runs inside a {@link FuzzChild} JVM, which makes it with its constructor: one that takes the work
 * folder ({@code Path}) or one without arguments. The constructor may prepare what every case shares (seed
 * files, a backend); {@link #close()} releases it.
 */
public interface FuzzTarget extends AutoCloseable {
    /**
     * Makes case {@code id} in {@code work}, says in {@code what} how it was made, and uses it: returns when
     * the input is accepted, throws when it is refused.
     */
    void run(long seed, int id, Path work, StringBuilder what) throws Exception;

    /** Whether {@code refusal} is the format's own exception, the kind that must carry the explanation. */
    boolean isOwnRefusal(Throwable refusal);

    @Override
    default void close() throws Exception {}
}
