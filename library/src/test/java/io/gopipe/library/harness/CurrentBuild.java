package io.gopipe.library.harness;

/** The {@code currentBuild} global (RunWrapper in workflow-support): the writable fields we use. */
public final class CurrentBuild {
    private String description;
    private String displayName = "#1";
    private String result;
    private final int number = 1;

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getDisplayName() {
        return displayName;
    }

    public void setDisplayName(String displayName) {
        this.displayName = displayName;
    }

    /** Null while running, as in Jenkins; set by catchError/unstable or explicitly. */
    public String getResult() {
        return result;
    }

    public void setResult(String result) {
        this.result = worse(this.result, result);
    }

    public String getCurrentResult() {
        return result == null ? "SUCCESS" : result;
    }

    public int getNumber() {
        return number;
    }

    /** Jenkins only lets a result get worse. */
    static String worse(String a, String b) {
        java.util.List<String> order = java.util.List.of("SUCCESS", "UNSTABLE", "FAILURE", "NOT_BUILT", "ABORTED");
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return order.indexOf(b) > order.indexOf(a) ? b : a;
    }
}
