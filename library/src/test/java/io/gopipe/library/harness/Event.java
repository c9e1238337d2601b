package io.gopipe.library.harness;

import java.util.List;

/**
 * One recorded pipeline event.
 *
 * @param kind   step name ("sh", "echo", "stage", "parallel", "goBuildKitImage", ...) or a marker
 *               ("stage.start", "stage.end", "branch.start", "branch.end")
 * @param detail the main argument (stage name, script, message, branch name)
 * @param branch the parallel branch the event ran in ("" on the main thread)
 * @param stages the stage names enclosing the event, outermost first
 * @param args   the step's arguments as the script passed them
 */
public record Event(String kind, String detail, String branch, List<String> stages, Object args) {
}
