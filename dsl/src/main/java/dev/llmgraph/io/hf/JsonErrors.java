package dev.llmgraph.io.hf;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/** Jackson's complaint about malformed JSON, cut to what a reader needs: where, and what was wrong. */
public final class JsonErrors {
    private JsonErrors() {}

    public static String describe(JsonProcessingException e) {
        String reason = e.getOriginalMessage();
        // Jackson appends the source and position in brackets or on a new line; the position is said below.
        int cut = reason.indexOf('\n');
        if (cut >= 0) {
            reason = reason.substring(0, cut);
        }
        for (String tail : new String[] {" (start marker at", " (for Object starting at", " (for Array starting at"}) {
            int bracket = reason.indexOf(tail);
            if (bracket >= 0) {
                reason = reason.substring(0, bracket);
            }
        }
        // advice to the programmer of the parser, not to the reader of the file
        reason = reason.replaceAll(" \\(consider enabling .*$", "")
                .replace(" (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)", "")
                .replace("end-of-inputexpected", "end-of-input: expected");
        if (reason.startsWith("Trailing token")) {
            reason = "more JSON follows the end of the top-level value; a file holds exactly one";
        } else if (e instanceof StreamConstraintsException && reason.contains("nesting depth")) {
            reason = "the JSON nests objects and arrays more than 1000 deep; a config or header needs fewer than 10 "
                    + "levels";
        } else if (e instanceof StreamConstraintsException) {
            reason = "a value exceeds Jackson's safety limits (" + reason.replaceAll(" \\(from `.*`\\)", "")
                    + "); the file is damaged or not what it claims to be";
        }
        JsonLocation at = e.getLocation();
        return at == null ? reason : reason + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
