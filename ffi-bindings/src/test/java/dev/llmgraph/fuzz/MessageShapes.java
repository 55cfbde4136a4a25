package dev.llmgraph.fuzz;

import java.util.regex.Pattern;

/**
 * A refusal's message with the case-specific parts replaced, so that messages made by the same check count
 * as one: the work folder becomes {@code FILE}, numbers {@code N} (hexadecimal ones {@code 0xH}), quoted names {@code 'S'} and JSON values
 * after {@code =} a {@code V}.
 */
public final class MessageShapes {
    private static final Pattern JSON_VALUE = Pattern.compile("= (\\{.*?\\}|\\[.*?\\]|\"[^\"]*\")(?= (must|is|and|has|disagree)|;|,|$)");
    private static final Pattern QUOTED = Pattern.compile("'[^']*'");
    private static final Pattern DOUBLE_QUOTED = Pattern.compile("\"[^\"]*\"");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    private MessageShapes() {}

    public static String of(String message, String workFolder) {
        String m = message.replace(workFolder, "FILE").replaceAll("FILE/[^ :]*", "FILE");
        int newline = m.indexOf('\n');
        if (newline >= 0) { // a list of problems: the first one names the check
            m = m.substring(0, newline) + " " + m.substring(newline + 1).strip().split("\n")[0].strip();
        }
        m = JSON_VALUE.matcher(m).replaceAll("= V");
        m = QUOTED.matcher(m).replaceAll("'S'");
        m = DOUBLE_QUOTED.matcher(m).replaceAll("\"S\"");
        m = HEX.matcher(m).replaceAll("0xH");
        m = NUMBER.matcher(m).replaceAll("N");
        return m.length() > 220 ? m.substring(0, 220) + "..." : m;
    }
}
