package dev.llmgraph.kernel;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelSettingsTest {
    @Test
    void timeoutIsReadAsSecondsUnitsOrIso8601() {
        assertEquals(Duration.ofSeconds(90), Kernel.parseTimeout("90"));
        assertEquals(Duration.ofSeconds(45), Kernel.parseTimeout("45s"));
        assertEquals(Duration.ofMinutes(5), Kernel.parseTimeout(" 5m "));
        assertEquals(Duration.ofHours(1), Kernel.parseTimeout("1h"));
        assertEquals(Duration.ofSeconds(30), Kernel.parseTimeout("PT30S"));
    }

    @Test
    void unreadableTimeoutSaysWhatIsAccepted() {
        var e = assertThrows(IllegalArgumentException.class, () -> Kernel.parseTimeout("soon"));
        assertEquals("LLMGRAPH_CELL_TIMEOUT = 'soon' is not a duration; use seconds (90) or 90s, 5m, 1h", e.getMessage());
    }

    @Test
    void negativeTimeoutIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Kernel.cellTimeout(Duration.ofSeconds(-1)));
        assertEquals("a cell timeout must be zero (none) or positive, got PT-1S", e.getMessage());
    }

    @Test
    void messagesWriteDurationsShort() {
        assertEquals("2s", Kernel.describe(Duration.ofSeconds(2)));
        assertEquals("1m30s", Kernel.describe(Duration.ofSeconds(90)));
    }
}
