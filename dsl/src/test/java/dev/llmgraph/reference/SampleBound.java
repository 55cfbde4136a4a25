package dev.llmgraph.reference;

/**
 * The fewest rows any covering of the required pairs can have, partitioned by the values of one axis (the mixer):
 * the rows with value m must cover, for each other axis, every required pair of m with that axis, and for each two
 * other axes, every required pair that no other value of the partition axis admits; each row covers at most one
 * pair of each two axes. The bound is the sum over m of the largest of those counts.
 */
final class SampleBound {
    private SampleBound() {}

    static int rows(int[] sizes, CoveringSample.Constraints rules, int partition) {
        int total = 0;
        for (int m = 0; m < sizes[partition]; m++) {
            int most = 0;
            for (int a = 0; a < sizes.length; a++) {
                if (a == partition) {
                    continue;
                }
                int withM = 0;
                for (int va = 0; va < sizes[a]; va++) {
                    withM += CoveringSample.required(rules, partition, m, a, va) ? 1 : 0;
                }
                most = Math.max(most, withM);
                for (int b = a + 1; b < sizes.length; b++) {
                    if (b != partition) {
                        most = Math.max(most, onlyWith(sizes, rules, partition, m, a, b));
                    }
                }
            }
            total += most;
        }
        return total;
    }

    /** Required pairs of axes a and b that value m is the only value of the partition axis to admit. */
    private static int onlyWith(int[] sizes, CoveringSample.Constraints rules, int partition, int m, int a, int b) {
        int n = 0;
        for (int va = 0; va < sizes[a]; va++) {
            for (int vb = 0; vb < sizes[b]; vb++) {
                if (!CoveringSample.required(rules, a, va, b, vb)) {
                    continue;
                }
                int admitting = 0;
                boolean mAdmits = false;
                for (int p = 0; p < sizes[partition]; p++) {
                    boolean admits = CoveringSample.required(rules, partition, p, a, va)
                            && CoveringSample.required(rules, partition, p, b, vb);
                    admitting += admits ? 1 : 0;
                    mAdmits |= admits && p == m;
                }
                n += mAdmits && admitting == 1 ? 1 : 0;
            }
        }
        return n;
    }
}
