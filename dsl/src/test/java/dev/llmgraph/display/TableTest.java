package dev.llmgraph.display;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableTest {
    @Test
    void numbersAreGroupedAndRightAlignedTextIsLeftAligned() {
        Table t = Table.of("model", "parameters", "ratio").row("llama-2-7b", 6_738_415_616L, 1.0 / 3)
                .row("bloom-560m", 559_214_592L, 12.5);

        assertEquals("""
                model          parameters  ratio
                ----------  -------------  -----
                llama-2-7b  6,738,415,616  0.333
                bloom-560m    559,214,592   12.5""", t.toString());
        assertEquals(List.of("llama-2-7b", "6,738,415,616", "0.333"), t.cells(0));
        assertEquals(2, t.rowCount());
    }

    @Test
    void aColumnWithTextIsNotNumeric() {
        Table t = Table.of("a", "b").row(1, "x").row(2, 3);
        String html = t.html();
        assertTrue(html.contains("<td style=\"padding:1px 8px;text-align:right;font-family:monospace\">1</td>"), html);
        assertTrue(html.contains("<td style=\"padding:1px 8px;text-align:left\">x</td>"), html);
    }

    @Test
    void htmlEscapesAndCarriesTheCaption() {
        Table t = Table.of("name").caption("a < b").row("<script>");
        assertTrue(t.html().contains("<caption style=\"text-align:left;font-weight:bold\">a &lt; b</caption>"));
        assertTrue(t.html().contains("&lt;script&gt;"));
        assertEquals("a < b", t.toString().lines().findFirst().orElseThrow());
        assertEquals(t.html(), t.mimeBundle().get("text/html"));
        assertEquals(t.toString(), t.mimeBundle().get("text/plain"));
    }

    @Test
    void formatsSmallLargeAndWholeDoubles() {
        assertEquals("2,048", Table.format(2048.0));
        assertEquals("54,410", Table.format(54410.4));
        assertEquals("1.49", Table.format(1.4912));
        assertEquals("7.07e-05", Table.format(7.07e-5));
        assertEquals("", Table.format(null));
    }

    @Test
    void aRowOfTheWrongLengthIsRefusedWithTheColumns() {
        var e = assertThrows(IllegalArgumentException.class, () -> Table.of("a", "b").row(1));
        assertEquals("this row has 1 cells but the table has 2 columns [a, b]: [1]", e.getMessage());
    }
}
