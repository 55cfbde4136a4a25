package dev.llmgraph.kernel;

import java.util.List;
import java.util.Map;

/** How a cell ended, in the terms of Jupyter's execute_reply. */
sealed interface CellResult {
    /** The cell ran; {@code value} is the MIME bundle of its last expression, or null if it shows none. */
    record Ok(Map<String, String> value) implements CellResult {}

    /**
     * The cell failed: {@code name} and {@code message} are Jupyter's ename and evalue, {@code traceback}
     * the lines a notebook shows (the exception, its causes and the cell lines it came from).
     */
    record Failed(String name, String message, List<String> traceback) implements CellResult {}

    /** The ename of a cell that was stopped by an interrupt or by the cell timeout. */
    String INTERRUPTED = "CellInterrupted";
    /** The ename of a cell that did not compile. */
    String COMPILE_ERROR = "CompileError";

    /** A cell that the kernel itself failed to run: {@code t} was thrown outside the cell's code. */
    static Failed internalError(Throwable t) {
        return new Failed(t.getClass().getSimpleName(), String.valueOf(t.getMessage()),
                List.of("the llmgraph kernel failed to run the cell: " + t));
    }
}
