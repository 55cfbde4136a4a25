package dev.llmgraph.kernel;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Settings of the notebook kernel that a cell can change, for example
 * {@code Kernel.cellTimeout(Duration.ofMinutes(2))}: from the next cell on, a cell that runs longer is
 * interrupted as if the stop button had been pressed. The environment variable
 * {@value #TIMEOUT_VARIABLE} (seconds, or {@code 90s}, {@code 5m}, {@code 1h}) sets it at start.
 */
public final class Kernel {
    /** Environment variable with the starting cell timeout. */
    public static final String TIMEOUT_VARIABLE = "LLMGRAPH_CELL_TIMEOUT";

    private static volatile Duration cellTimeout = Duration.ZERO;

    private Kernel() {}

    /** The cell timeout; {@link Duration#ZERO} means none. */
    public static Duration cellTimeout() {
        return cellTimeout;
    }

    /** Sets the cell timeout for the cells that start after this one; zero turns it off. */
    public static void cellTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("a cell timeout must be zero (none) or positive, got " + timeout);
        }
        cellTimeout = timeout;
    }

    /** {@code 90}, {@code 90s}, {@code 5m}, {@code 1h} or an ISO-8601 duration ({@code PT90S}). */
    static Duration parseTimeout(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            if (t.matches("\\d+[smh]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException(TIMEOUT_VARIABLE + " = '" + text
                + "' is not a duration; use seconds (90) or 90s, 5m, 1h");
    }

    /** Reads {@value #TIMEOUT_VARIABLE}; an unreadable value is reported and ignored. */
    static void applyEnvironment(java.io.PrintStream log) {
        String value = System.getenv(TIMEOUT_VARIABLE);
        if (value != null && !value.isBlank()) {
            try {
                cellTimeout(parseTimeout(value));
            } catch (IllegalArgumentException e) {
                log.println("llmgraph kernel: " + e.getMessage() + "; no cell timeout");
            }
        }
    }

    /** {@code 2s}, {@code 1m30s}: how messages show a duration. */
    static String describe(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
