package io.gopipe.core.gocache;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Planning a run's packs against the last run's: kept while mostly used, cut again otherwise. */
class GoCachePackPlannerTest {

    static String hex(int n) {
        return String.format("%064x", n);
    }

    static Packs.Entry entry(int action, int output, long size) {
        return new Packs.Entry(hex(action), hex(output), size);
    }

    static Map<String, ActionRecord> used(Packs.Entry... entries) {
        Map<String, ActionRecord> m = new LinkedHashMap<>();
        for (Packs.Entry e : entries) {
            m.put(e.actionId(), new ActionRecord(e.outputId(), e.size(), Instant.EPOCH));
        }
        return m;
    }

    @Test
    void aMostlyUsedPackIsKeptListingOnlyWhatIsUsedAndTheRestIsCutAnew() throws Exception {
        Packs.Entry a = entry(1, 101, 100), b = entry(2, 102, 100), c = entry(3, 103, 1000);
        PrefetchManifest.Pack last = new PrefetchManifest.Pack("p/" + hex(9) + ".pack", 50, List.of(a, b, c));
        Packs.Entry added = entry(4, 104, 10);
        PackPlanner.Plan plan = PackPlanner.plan(used(a, c, added), List.of(last));
        assertThat(plan.kept()).hasSize(1);
        PrefetchManifest.Pack kept = plan.kept().get(0);
        assertThat(kept.name()).isEqualTo(last.name());
        assertThat(kept.entries()).containsExactly(a, c);
        assertThat(kept.packRaw()).isEqualTo(1200);
        assertThat(plan.fresh()).containsExactly(List.of(added));
        // the pack's full size survives the manifest, so its dead share keeps counting across runs
        PrefetchManifest round = PrefetchManifest.parse(new PrefetchManifest(List.of(kept)).encode());
        assertThat(round.packs().get(0).packRaw()).isEqualTo(1200);
        assertThat(round.packs().get(0).entries()).containsExactly(a, c);
        // a pack that holds exactly what it lists writes no extra field: unchanged manifests stay byte-identical
        assertThat(new String(new PrefetchManifest(List.of(last)).encode())).doesNotContain("\"raw\"");
    }

    @Test
    void aPackUsedLessThanHalfIsCutAgainAndAnOutputThatChangedIsNotKept() {
        Packs.Entry a = entry(1, 101, 100), b = entry(2, 102, 100), c = entry(3, 103, 1000);
        PrefetchManifest.Pack last = new PrefetchManifest.Pack("p/" + hex(9) + ".pack", 50, List.of(a, b, c));
        PackPlanner.Plan plan = PackPlanner.plan(used(a, b), List.of(last));
        assertThat(plan.kept()).isEmpty();
        assertThat(plan.fresh().stream().flatMap(List::stream)).containsExactlyInAnyOrder(a, b);
        // same action, another output (a build that is not reproducible): the pack's copy is not it
        Packs.Entry c2 = entry(3, 203, 1000);
        PackPlanner.Plan other = PackPlanner.plan(used(a, b, c2), List.of(last));
        assertThat(other.kept()).isEmpty();
        assertThat(other.fresh().stream().flatMap(List::stream)).containsExactlyInAnyOrder(a, b, c2);
    }

    @Test
    void withoutALastRunThePlanIsTheContentDefinedOne() {
        Packs.Entry[] es = new Packs.Entry[100];
        for (int i = 0; i < es.length; i++) {
            es[i] = entry(i + 1, i * 7919 + 13, 100 + i);
        }
        PackPlanner.Plan plan = PackPlanner.plan(used(es), List.of());
        assertThat(plan.kept()).isEmpty();
        assertThat(plan.fresh()).isEqualTo(PackPlanner.plan(used(es)));
    }
}
