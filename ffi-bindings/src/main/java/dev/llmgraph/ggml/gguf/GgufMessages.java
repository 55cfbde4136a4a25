package dev.llmgraph.ggml.gguf;

/** Words of GGUF reading errors that do not depend on where the parser is: versions, and names as shown. */
final class GgufMessages {
    private GgufMessages() {}

    /** What is wrong with a file of GGUF {@code version} for a reader of versions 2 to {@code newest}; null if nothing. */
    static String versionProblem(int version, int newest) {
        if (version == 0) {
            return "GGUF version 0 is not valid";
        }
        if ((version & 0xFFFF) == 0) {
            return "GGUF version " + Integer.toUnsignedString(version) + " is not valid; the file may have been "
                    + "written on a big-endian machine, and only little-endian GGUF files can be read";
        }
        if (version == 1) {
            return "GGUF version 1 is no longer supported; convert the model again with a current llama.cpp";
        }
        if (Integer.compareUnsigned(version, newest) > 0) {
            return "GGUF version " + Integer.toUnsignedString(version) + " is newer than this reader, which "
                    + "supports versions 2 and " + newest;
        }
        return null;
    }

    /** A name as messages show it: control characters as \\xNN, at most 80 characters (damaged names can be long). */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < name.length() && out.length() < 80; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < name.length() ? out + "... (" + name.length() + " characters)" : out.toString();
    }
}
