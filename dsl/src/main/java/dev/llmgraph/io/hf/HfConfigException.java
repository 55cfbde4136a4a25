package dev.llmgraph.io.hf;

/**
 * A config.json that llmgraph cannot turn into a spec: a field is missing, malformed, contradicts another,
 * or asks for something llmgraph cannot express. The message names the file, the field and the problem.
 */
public final class HfConfigException extends RuntimeException {
    private final String source;
    private final String field;

    /**
     * @param source  the file (or a label for a text that did not come from a file)
     * @param field   the offending field, or null when the problem is the file as a whole
     * @param problem what is wrong, in words; it starts with the field where there is one
     */
    HfConfigException(String source, String field, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.field = field;
    }

    /** The file, or the label of the text. */
    public String source() {
        return source;
    }

    /** The offending field, or null. */
    public String field() {
        return field;
    }
}
