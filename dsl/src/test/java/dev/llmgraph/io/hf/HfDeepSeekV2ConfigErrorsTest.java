package dev.llmgraph.io.hf;

import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Router;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deepseek_v2 config.json fields llmgraph refuses, word for word: each case is the V2-Lite preset's own config
 * with one field changed or removed; and a spec that deepseek_v2 cannot hold is refused when written.
 */
class HfDeepSeekV2ConfigErrorsTest {
    private static final String LITE = HfConfig.toJson(Presets.deepSeekV2Lite());

    private static void refused(String from, String to, String field, String message) {
        assertTrue(LITE.contains(from), from);
        HfConfigException e = assertThrows(HfConfigException.class,
                () -> HfConfig.parse(LITE.replace(from, to), "cfg/config.json"));
        assertEquals("cfg/config.json: " + message, e.getMessage());
        assertEquals(field, e.field());
    }

    @Test
    void aMissingQueryRankIsNotGuessed() {
        refused("\"q_lora_rank\": null,", "", "q_lora_rank", "field 'q_lora_rank' is missing; it sets the query's low "
                + "rank (null projects queries directly, as DeepSeek-V2-Lite)");
    }

    @Test
    void missingLatentSizesAreNamed() {
        refused("\"kv_lora_rank\": 512,", "", "kv_lora_rank", "field 'kv_lora_rank' is missing; it sets the latent's "
                + "size");
    }

    @Test
    void routersThatAreNotDeepSeekV2sAreRefused() {
        refused("\"topk_method\": \"greedy\"", "\"topk_method\": \"noaux_tc\"", "topk_method", "field 'topk_method' = "
                + "\"noaux_tc\" is not DeepSeek-V2's; llmgraph reads \"greedy\" and \"group_limited_greedy\"");
        refused("\"scoring_func\": \"softmax\"", "\"scoring_func\": \"sigmoid\"", "scoring_func", "field "
                + "'scoring_func' = \"sigmoid\" is not DeepSeek-V2's; llmgraph reads deepseek_v2 configs that score "
                + "experts by \"softmax\"");
        refused("\"moe_layer_freq\": 1", "\"moe_layer_freq\": 2", "moe_layer_freq", "field 'moe_layer_freq' = 2 makes "
                + "every 2-th layer sparse, which llmgraph's mixture (dense layers first, then every layer sparse) "
                + "does not express; use 1");
    }

    @Test
    void anMscaleUnlikeMscaleAllDimIsRefused() {
        refused("\"mscale\": 0.707", "\"mscale\": 1.0", "rope_scaling.mscale", "field 'rope_scaling.mscale' = 1.0 "
                + "differs from 'rope_scaling.mscale_all_dim' = 0.707: DeepSeek then scales the rotated dimensions by "
                + "the ratio of their factors, which llmgraph's latent attention does not; DeepSeek-V2 sets both to "
                + "0.707");
    }

    @Test
    void fewerKeyValueHeadsThanHeadsIsRefused() {
        refused("\"num_key_value_heads\": 16", "\"num_key_value_heads\": 8", "num_key_value_heads", "field "
                + "'num_key_value_heads' = 8 differs from 'num_attention_heads' = 16: DeepSeek-V2 rebuilds a key and "
                + "a value for every head from its latent");
    }

    @Test
    void groupsThatDoNotDivideTheExpertsAreRefusedInTheSpecsWords() {
        String json = LITE.replace("\"topk_method\": \"greedy\"", "\"topk_method\": \"group_limited_greedy\"")
                .replace("\"n_group\": 1", "\"n_group\": 5").replace("\"topk_group\": 1", "\"topk_group\": 2");
        HfConfigException e = assertThrows(HfConfigException.class, () -> HfConfig.parse(json, "cfg/config.json"));
        assertEquals("cfg/config.json: describes a model llmgraph rejects: spec 'deepseek-v2-lite' has 1 problem:\n"
                + "  - moe.router.groups.count = 5: must divide experts = 64: the experts are split into equal groups; "
                + "DeepSeek-V2 splits 160 experts into 8 groups of 20", e.getMessage());
    }

    @Test
    void aRenormalisedAndScaledRouterHasNoDeepSeekV2Config() {
        ModelSpec lite = Presets.deepSeekV2Lite();
        ModelSpec spec = lite.withMoe(lite.moe().withRouter(Router.softmaxRenormalised().withScale(2)));
        var e = assertThrows(NoHfEquivalentException.class, () -> HfConfig.toJson(spec, HfModelType.DEEPSEEK_V2));
        assertTrue(e.getMessage().contains("moe.router = softmax, top-k, renormalised, scaled by 2.0: HF deepseek_v2 "
                + "scales the weights by routed_scaling_factor only when it does not renormalise them"), e.getMessage());
    }
}
