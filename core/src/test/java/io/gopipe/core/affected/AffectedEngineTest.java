package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gopipe.core.report.Reporter;

class AffectedEngineTest {

    @TempDir
    Path tmp;

    private final AffectedEngine engine = new AffectedEngine(new ParseCache(), Reporter.silent());

    static List<String> names(List<AffectedService> list) {
        return list.stream().map(AffectedService::name).toList();
    }

    private TestRepo shop() {
        TestRepo r = TestRepo.init(tmp);
        r.write("go.mod", "module example.com/shop\n\ngo 1.22\n");
        r.go("cmd/api/main.go", "main", "example.com/shop/pkg/cart", "fmt");
        r.go("cmd/worker/main.go", "main", "example.com/shop/pkg/money");
        r.go("cmd/admin/main.go", "main");
        r.go("pkg/cart/cart.go", "cart", "example.com/shop/pkg/money");
        r.go("pkg/money/money.go", "money");
        r.write("cmd/api/Dockerfile", "FROM scratch\n");
        return r;
    }

    @Test
    void changeInSharedPackagePropagatesToEveryDependentService() {
        try (TestRepo r = shop()) {
            String base = r.commit("base");
            r.go("pkg/money/money.go", "money", "strings");
            r.commit("change money");
            AffectedResult res = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base)));
            assertThat(res.all()).isFalse();
            assertThat(res.changedFiles()).containsExactly("pkg/money/money.go");
            assertThat(names(res.services())).containsExactly("api", "worker");
            AffectedService api = res.services().get(0);
            assertThat(api.reasons()).containsExactly(new Reason("pkg/money/money.go",
                    List.of("example.com/shop/pkg/money", "example.com/shop/pkg/cart", "example.com/shop/cmd/api", "api")));
            assertThat(api.dockerfile()).isEqualTo("cmd/api/Dockerfile");
            assertThat(api.context()).isEqualTo(".");
            assertThat(api.path()).isEqualTo("cmd/api");
            assertThat(api.mainPackage()).isEqualTo("example.com/shop/cmd/api");
            assertThat(api.module()).isEqualTo("example.com/shop");
            assertThat(res.services().get(1).dockerfile()).isNull();
        }
    }

    @Test
    void serviceDependenciesListNonStandardClosure() {
        try (TestRepo r = shop()) {
            String head = r.commit("base");
            Map<String, SortedSet<String>> deps = engine.serviceDependencies(r.dir(), head, BuildTarget.linuxAmd64());
            assertThat(deps.keySet()).containsExactlyInAnyOrder("cmd/api", "cmd/worker", "cmd/admin");
            assertThat(deps.get("cmd/api")).containsExactly("example.com/shop/cmd/api", "example.com/shop/pkg/cart",
                    "example.com/shop/pkg/money");
        }
    }
}
