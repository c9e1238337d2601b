package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        write("services/billing/Dockerfile", "FROM scratch\n");
        write("services/lib/lib.go", "package lib\n");

        ServiceSource orders = new ServiceResolver(repo).byName("orders");
        assertThat(orders.dockerfile()).isNull();
        assertThat(orders.context()).isEqualTo(repo.toAbsolutePath().normalize());
        assertThat(orders.moduleDir()).isEqualTo(".");
        assertThat(orders.mainPackage()).isEqualTo("./cmd/orders");

        ServiceSource billing = new ServiceResolver(repo).byName("billing");
        assertThat(billing.dockerfile()).isEqualTo(repo.resolve("services/billing/Dockerfile").toAbsolutePath().normalize());
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
}
