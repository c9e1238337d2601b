import io.gopipe.core.image.ImageJob;
import io.gopipe.core.image.ImageJobOptions;
import java.util.List;

/**
 * The plan phase of one `gopipe image build` in a fresh JVM, in seconds: ImageJob.plan() for one
 * service, by service discovery or from a plan file (args: SERVICE [PLANFILE]), run in the current
 * directory (the repository). Jackson is loaded first: a real build loads it anyway (its --json result),
 * so only the plan's own work is timed. Used by image-step-microbench.sh:
 *   java -cp gopipe.jar bench/pipeline/PlanPhase.java s01 [plan.json]
 */
public class PlanPhase {
    public static void main(String[] a) throws Exception {
        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"services\":[{\"name\":\"x\"}]}");
        long t = System.nanoTime();
        ImageJobOptions.Builder b = ImageJobOptions.builder().repo(".").services(List.of(a[0]))
                .registry("127.0.0.1:5000/bench").push(true);
        if (a.length > 1) {
            b.planFile(a[1]);
        }
        new ImageJob(b.build(), System.getenv(), new io.gopipe.core.exec.LocalCommandRunner(),
                io.gopipe.core.report.Reporter.silent()).plan();
        System.out.printf("%.3f%n", (System.nanoTime() - t) / 1e9);
    }
}
