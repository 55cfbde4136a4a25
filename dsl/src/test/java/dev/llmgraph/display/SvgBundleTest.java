package dev.llmgraph.display;

import dev.llmgraph.presets.Presets;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SVG pictures also travel as an HTML image, which nbconvert's HTML export keeps (it strips the elements of
 * image/svg+xml outputs). The browser check of the exported notebooks is in the kernel module's tests.
 */
class SvgBundleTest {
    private static final String PREFIX = "data:image/svg+xml;base64,";

    /** The SVG document inside an {@code <img>} written by {@link SvgBundle}, decoded independently. */
    static String imageSource(String html) {
        Element img = Xml.parse(html).root();
        assertEquals("img", img.getTagName());
        String src = img.getAttribute("src");
        assertTrue(src.startsWith(PREFIX), src.substring(0, Math.min(60, src.length())));
        return new String(Base64.getDecoder().decode(src.substring(PREFIX.length())), StandardCharsets.UTF_8);
    }

    @Test
    void blockDiagramShowsAsSvgAndAsAnHtmlImageOfTheSameSvg() {
        BlockDiagram diagram = BlockDiagram.of(Presets.llama2_7b());
        Map<String, String> bundle = diagram.mimeBundle();

        assertEquals(Set.of("image/svg+xml", "text/html", "text/plain"), bundle.keySet());
        assertEquals(diagram.svg(), bundle.get("image/svg+xml"));
        assertEquals(diagram.svg(), imageSource(bundle.get("text/html")));
        assertEquals(diagram.toString(), bundle.get("text/plain"));
    }

    @Test
    void theImageNamesItsPictureInItsAltTextAndDeclaresTheSvgNamespace() {
        String html = SvgBundle.img("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "loss <by> step\nsecond line");
        Element img = Xml.parse(html).root();

        assertEquals("loss <by> step", img.getAttribute("alt"));
        assertEquals("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", imageSource(html));
        // An SVG shown through <img> renders only with its namespace declared: check what the views write.
        assertTrue(imageSource(BlockDiagram.of(Presets.llama2_7b()).mimeBundle().get("text/html"))
                .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
}
