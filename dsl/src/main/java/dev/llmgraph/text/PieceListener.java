package dev.llmgraph.text;

/**
 * Hears the text of a generation as it is produced: each piece is the text of one or more new tokens (a
 * piece that would end inside a UTF-8 character waits for the token that completes it), and the pieces
 * together are the generated text. {@link #end()} comes once, after the last piece, however generation ended.
 * <pre>{@code
 * model.generate("Once upon a time", config, PieceListener.shown());          // live in a notebook, a line in JShell
 * model.generate("Once upon a time", config, piece -> System.out.print(piece));   // anything else
 * }</pre>
 */
@FunctionalInterface
public interface PieceListener {
    /** Hears nothing. */
    PieceListener NONE = piece -> { };

    /** A new piece of generated text. */
    void piece(String text);

    /** Generation is over (finished, stopped, interrupted or failed). */
    default void end() { }

    /** Shown as it grows: one display updated in place in a notebook, printed as a line in JShell or a terminal. */
    static PieceListener shown() {
        return new ShownPieces();
    }
}
