package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.fixture.FixtureMaterializer;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceResolverTest {

    @TempDir
    Path repo;

    private void write(String rel, String text) throws Exception {
        Path p = repo.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void findsServicesByNameWithTheirModuleAndDockerfile() throws Exception {
        write("go.mod", "module example.com/shop\n");
        write("cmd/orders/main.go", "// orders\npackage main\nfunc main() {}\n");
        write("services/billing/go.mod", "module example.com/billing\n");
        write("services/billing/cmd/billing/main.go", "package main\nfunc main() {}\n");
        write("services/billing/cmd/billing/Dockerfile", "FROM scratch\n");
        write("services/lib/lib.go", "package lib\n");

        ServiceSource orders = new ServiceResolver(repo).byName("orders");
        assertThat(orders.dockerfile()).isNull();
        assertThat(orders.context()).isEqualTo(repo.toAbsolutePath().normalize());
        assertThat(orders.moduleDir()).isEqualTo(".");
        assertThat(orders.mainPackage()).isEqualTo("./cmd/orders");

        ServiceSource billing = new ServiceResolver(repo).byName("billing");
        assertThat(billing.dockerfile())
                .isEqualTo(repo.resolve("services/billing/cmd/billing/Dockerfile").toAbsolutePath().normalize());
        assertThat(billing.moduleDir()).isEqualTo("services/billing");
        assertThat(billing.mainPackage()).isEqualTo("./cmd/billing");

        assertThatThrownBy(() -> new ServiceResolver(repo).byName("lib")).hasMessageContaining("--service lib");
    }

    @Test
    void readsTheAffectedJson() throws Exception {
        write("go.mod", "module example.com/shop\n");
        write("cmd/orders/main.go", "package main\n");
        write("cmd/payments/main.go", "package main\n");
        write("cmd/payments/Dockerfile", "FROM scratch\n");
        write("affected.json", """
                {"base":"a","head":"b","all":false,"services":[
                  {"name":"orders","path":"cmd/orders","mainPackage":"example.com/shop/cmd/orders","module":"example.com/shop",
                   "dockerfile":null,"context":".","reasons":[]},
                  {"name":"payments","path":"cmd/payments","dockerfile":"cmd/payments/Dockerfile","context":"cmd/payments"}]}
                """);
        List<ServiceSource> s = new ServiceResolver(repo).fromAffected(repo.resolve("affected.json"));
        assertThat(s).extracting(ServiceSource::name).containsExactly("orders", "payments");
        assertThat(s.get(0).mainPackage()).isEqualTo("./cmd/orders");
        assertThat(s.get(1).dockerfile()).hasFileName("Dockerfile");
        assertThat(s.get(1).context()).isEqualTo(repo.resolve("cmd/payments").toAbsolutePath().normalize());

        write("bad.json", "{\"services\":[{\"name\":\"x\"}]}");
        assertThatThrownBy(() -> new ServiceResolver(repo).fromAffected(repo.resolve("bad.json")))
                .hasMessageContaining("services[0] needs \"name\" and \"path\"");
    }

    @Test
    void usesTheAffectedEnginesDiscoveryOnTheShopFixture(@TempDir Path out) {
        Path fixture = Path.of("").toAbsolutePath();
        while (fixture != null && !java.nio.file.Files.isDirectory(fixture.resolve("test-repos/shop"))) {
            fixture = fixture.getParent();
        }
        assertThat(fixture).as("test-repos/shop above the working directory").isNotNull();
        Path shop = out.resolve("shop");
        new FixtureMaterializer().materialize(new FixtureLoader().load(fixture.resolve("test-repos/shop")), shop,
                new FixtureMaterializer.Options(Optional.of("01-leaf-package-edit"), false));
        ServiceResolver r = new ServiceResolver(shop);
        Path root = shop.toAbsolutePath().normalize();

        ServiceSource orders = r.byName("orders");
        assertThat(orders.context()).isEqualTo(root);
        assertThat(orders.dockerfile()).isEqualTo(root.resolve("services/orders/Dockerfile"));
        assertThat(orders.mainPackage()).isEqualTo("./services/orders");

        ServiceSource billing = r.byName("billing");
        assertThat(billing.context()).isEqualTo(root.resolve("services/billing"));
        assertThat(billing.dockerfile()).isEqualTo(root.resolve("services/billing/Dockerfile"));

        assertThatThrownBy(() -> r.byName("nope")).hasMessageContaining("services: ").hasMessageContaining("gateway");
    }
}
