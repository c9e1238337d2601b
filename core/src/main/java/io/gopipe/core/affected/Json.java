package io.gopipe.core.affected;

import java.util.List;

/** Writes {@link AffectedResult} as JSON without a JSON library (keeps CLI start-up short). */
final class Json {

    private Json() {
    }

    static String write(AffectedResult r) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("{\n");
        sb.append("  \"base\": ").append(str(r.base())).append(",\n");
        sb.append("  \"head\": ").append(str(r.head())).append(",\n");
        sb.append("  \"all\": ").append(r.all()).append(",\n");
        sb.append("  \"allReason\": ").append(str(r.allReason())).append(",\n");
        sb.append("  \"changedFiles\": ");
        strings(sb, r.changedFiles());
        sb.append(",\n  \"services\": ");
        services(sb, r.services());
        sb.append(",\n  \"testAffected\": ");
        services(sb, r.testAffected());
        sb.append("\n}\n");
        return sb.toString();
    }

    private static void services(StringBuilder sb, List<AffectedService> list) {
        if (list.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append("[");
        for (int i = 0; i < list.size(); i++) {
            AffectedService s = list.get(i);
            sb.append(i == 0 ? "\n" : ",\n");
            sb.append("    {\"name\": ").append(str(s.name()))
                    .append(", \"path\": ").append(str(s.path()))
                    .append(", \"mainPackage\": ").append(str(s.mainPackage()))
                    .append(", \"module\": ").append(str(s.module()))
                    .append(", \"dockerfile\": ").append(str(s.dockerfile()))
                    .append(", \"context\": ").append(str(s.context()))
                    .append(",\n     \"reasons\": [");
            for (int j = 0; j < s.reasons().size(); j++) {
                Reason reason = s.reasons().get(j);
                sb.append(j == 0 ? "\n" : ",\n");
                sb.append("       {\"file\": ").append(str(reason.file())).append(", \"chain\": ");
                strings(sb, reason.chain());
                sb.append("}");
            }
            sb.append(s.reasons().isEmpty() ? "]}" : "\n     ]}");
        }
        sb.append("\n  ]");
    }

    private static void strings(StringBuilder sb, List<String> list) {
        sb.append("[");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(str(list.get(i)));
        }
        sb.append("]");
    }

    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
