package dev.llmgraph.display;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/** Reads the SVG and HTML the views write with the JDK's own XML parser: failing to parse fails the test. */
final class Xml {
    private final Document doc;

    private Xml(Document doc) {
        this.doc = doc;
    }

    static Xml parse(String text) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            return new Xml(f.newDocumentBuilder().parse(new InputSource(new StringReader(text))));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage(), e);
        }
    }

    Element root() {
        return doc.getDocumentElement();
    }

    List<Element> all(String xpath) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add((Element) nodes.item(i));
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError("bad XPath " + xpath, e);
        }
    }

    /** The one element matching {@code xpath}; fails if there is none or several. */
    Element one(String xpath) {
        List<Element> found = all(xpath);
        if (found.size() != 1) {
            throw new AssertionError("expected one element for " + xpath + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** The diagram element standing for graph node {@code name}. */
    Element node(String name) {
        return one("//*[@data-node='" + name + "']");
    }

    boolean has(String name) {
        return !all("//*[@data-node='" + name + "']").isEmpty();
    }

    /** The top edge of a rect, or the centre of a circle: where an element sits in the top-down flow. */
    double top(String name) {
        Element e = node(name);
        return Double.parseDouble(e.hasAttribute("y") ? e.getAttribute("y") : e.getAttribute("cy"));
    }

    double x(String name) {
        Element e = node(name);
        return Double.parseDouble(e.hasAttribute("x") ? e.getAttribute("x") : e.getAttribute("cx"));
    }

    /** The first text drawn after node {@code name}: a box's title, a chip's label. */
    String label(String name) {
        return one("//*[@data-node='" + name + "']/following-sibling::text[1]").getTextContent();
    }

    /** The second text drawn after node {@code name}: a box's subtitle. */
    String sublabel(String name) {
        return one("//*[@data-node='" + name + "']/following-sibling::text[2]").getTextContent();
    }
}
