package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ShapeTrace;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DisplayTest {
    record Celsius(double degrees) {}

    record Fahrenheit(double degrees) implements RichDisplay {
        @Override
        public Map<String, String> mimeBundle() {
            return Map.of("text/plain", degrees + " F (its own bundle)");
        }
    }

    @Test
    void registeredRendererShowsATypeWithoutDisplayCode() {
        assertEquals(Map.of("text/plain", "Celsius[degrees=20.0]"), Display.bundleOf(new Celsius(20)));
        Display.register(Celsius.class, c -> () -> Map.of("text/plain", c.degrees() + " C", "text/html",
                "<b>" + c.degrees() + " C</b>"));
        assertEquals("<b>20.0 C</b>", Display.bundleOf(new Celsius(20)).get("text/html"));
        Display.register(Celsius.class, c -> () -> Map.of("text/plain", "newer"));
        assertEquals(Map.of("text/plain", "newer"), Display.bundleOf(new Celsius(20)), "newest registration wins");
    }

    @Test
    void aRichDisplayKeepsItsOwnBundle() {
        Display.register(Fahrenheit.class, f -> () -> Map.of("text/plain", "from the registry"));
        assertEquals("20.0 F (its own bundle)", Display.bundleOf(new Fahrenheit(20)).get("text/plain"));
    }

    @Test
    void nullAndPlainValuesShowAsText() {
        assertEquals(Map.of("text/plain", "null"), Display.bundleOf(null));
        assertEquals(Map.of("text/plain", "42"), Display.bundleOf(42));
    }

    @Test
    void shapeTraceShowsAsATable() {
        ShapeTrace trace = Presets.tiny(Presets.llama2_7b()).accounting().shapeTrace(3);
        Map<String, String> bundle = Display.bundleOf(trace);
        Xml html = Xml.parse(bundle.get("text/html"));
        assertEquals(trace.entries().size() + 1, html.all("//tr").size());
        assertTrue(bundle.get("text/plain").contains("kq_softmax.0  [4, 3, 3]  attention weights"));
    }
}
