package dev.llmgraph.io.hf;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

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
        int bracket = reason.indexOf(" (start marker at");
        if (bracket >= 0) {
            reason = reason.substring(0, bracket);
        }
        JsonLocation at = e.getLocation();
        return at == null ? reason : reason + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
