// llmgraph against Hugging Face's tokenizers library on the same tokenizer.json files (run by
// tools/converter-check/run.sh after the library has loaded each tokenizer.json llmgraph wrote into
// CHECK_DIR/tokenizers/NAME, encoded texts with it into hf-ids.json and saved it again as saved-by-tokenizers.json, in
// its own form: merges as pairs, its own field order and defaults). The saved file, read by TokenizerJson, must give
// the vocabulary llmgraph wrote (tokens, kinds, merges, rules, markers), and encode llama.cpp's test vectors and texts
// around the special tokens (with them read as special tokens and the tokens put around a text) as the library did.
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.text.TextTokenizer;
import dev.llmgraph.tokenize.*;
import java.nio.file.*;

Object rules(BpeVocabulary v) { return v instanceof BpeTokenizer b ? b.rules() : ((SentencePieceBpe) v).rules(); }
int matches(List<String> texts, com.fasterxml.jackson.databind.JsonNode ids, java.util.function.Function<String, int[]> encode) {
    int n = 0;
    for (int i = 0; i < texts.size(); i++) {
        int[] expected = new int[ids.get(i).size()];
        for (int j = 0; j < expected.length; j++) expected[j] = ids.get(i).get(j).intValue();
        n += Arrays.equals(expected, encode.apply(texts.get(i))) ? 1 : 0;
    }
    return n;
}
Path folders = Path.of(System.getenv("CHECK_DIR")).resolve("tokenizers");
try (var names = Files.list(folders)) {
    for (Path folder : names.sorted().toList()) {
        if (TokenizerJson.modelType(folder).equals("WordPiece")) {
            var writtenWp = TokenizerJson.readWordPiece(folder.resolve("tokenizer.json"));
            var savedWp = TokenizerJson.readWordPiece(folder.resolve("saved-by-tokenizers.json"));
            boolean sameWp = writtenWp.tokens().equals(savedWp.tokens()) && writtenWp.kinds().equals(savedWp.kinds())
                && writtenWp.rules().equals(savedWp.rules()) && writtenWp.specials().equals(savedWp.specials());
            var hfWp = new ObjectMapper().readTree(folder.resolve("hf-ids.json").toFile());
            List<String> textsWp = new ArrayList<>(), aroundWp = new ArrayList<>();
            hfWp.get("texts").forEach(t -> textsWp.add(t.asText()));
            hfWp.get("around").forEach(t -> aroundWp.add(t.asText()));
            System.out.printf("%-28s llmgraph on the tokenizer.json Hugging Face saved: the same vocabulary: %b; as "
                + "Hugging Face encodes: %d of %d vectors, %d of %d texts around special tokens%n", folder.getFileName(),
                sameWp, matches(textsWp, hfWp.get("ids"), savedWp::encode), textsWp.size(),
                matches(aroundWp, hfWp.get("around_ids"), savedWp::encodeForModel), aroundWp.size());
            continue;
        }
        if (TokenizerJson.modelType(folder).equals("Unigram")) {
            var writtenUg = TokenizerJson.readUnigram(folder.resolve("tokenizer.json"));
            var savedUg = TokenizerJson.readUnigram(folder.resolve("saved-by-tokenizers.json"));
            boolean sameUg = writtenUg.tokens().equals(savedUg.tokens()) && writtenUg.kinds().equals(savedUg.kinds())
                && writtenUg.rules().equals(savedUg.rules()) && writtenUg.markers().equals(savedUg.markers())
                && Arrays.equals(writtenUg.charsmap(), savedUg.charsmap());
            var hfUg = new ObjectMapper().readTree(folder.resolve("hf-ids.json").toFile());
            List<String> textsUg = new ArrayList<>(), aroundUg = new ArrayList<>();
            hfUg.get("texts").forEach(t -> textsUg.add(t.asText()));
            hfUg.get("around").forEach(t -> aroundUg.add(t.asText()));
            System.out.printf("%-28s llmgraph (as libllama) on llmgraph's tokenizer.json: %d of %d texts as SentencePiece "
                + "itself encodes them, %d as Hugging Face does, %d of %d texts around special tokens as Hugging Face; "
                + "the file Hugging Face saved: the same vocabulary: %b%n", folder.getFileName(),
                matches(textsUg, hfUg.get("sentencepiece_ids"), writtenUg::encode), textsUg.size(),
                matches(textsUg, hfUg.get("ids"), writtenUg::encode),
                matches(aroundUg, hfUg.get("around_ids"), t -> writtenUg.encodeForModel(t, true)), aroundUg.size(), sameUg);
            for (int i = 0; i < textsUg.size(); i++) {   // where they differ, both
                int[] java = writtenUg.encode(textsUg.get(i));
                int[] hfIds = new int[hfUg.get("ids").get(i).size()];
                for (int j = 0; j < hfIds.length; j++) hfIds[j] = hfUg.get("ids").get(i).get(j).intValue();
                if (!Arrays.equals(java, hfIds)) System.out.printf("    Hugging Face differs on %s: llmgraph %s, Hugging Face %s%n",
                    new ObjectMapper().writeValueAsString(textsUg.get(i)), Arrays.toString(java), Arrays.toString(hfIds));
            }
            continue;
        }
        var written = TokenizerJson.read(folder.resolve("tokenizer.json"));
        var saved = TokenizerJson.read(folder.resolve("saved-by-tokenizers.json"));
        boolean same = written.tokens().equals(saved.tokens()) && written.kinds().equals(saved.kinds())
            && written.merges().equals(saved.merges()) && rules(written).equals(rules(saved))
            && written.markers().equals(saved.markers());
        var hf = new ObjectMapper().readTree(folder.resolve("hf-ids.json").toFile());
        List<String> texts = new ArrayList<>(), around = new ArrayList<>();
        hf.get("texts").forEach(t -> texts.add(t.asText()));
        hf.get("around").forEach(t -> around.add(t.asText()));
        var text = TextTokenizer.of(saved);
        System.out.printf("%-28s llmgraph on the tokenizer.json Hugging Face saved: the same vocabulary: %b; as Hugging "
            + "Face encodes: %d of %d vectors, %d of %d texts around special tokens%n", folder.getFileName(), same,
            matches(texts, hf.get("ids"), saved::encode), texts.size(),
            matches(around, hf.get("around_ids"), t -> text.encode(t, true, true)), around.size());
    }
}
/exit
