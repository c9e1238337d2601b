package io.gopipe.core.exec;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads compiled classes (their constant pools, as the JVM spec lays them out) and reports every
 * way a class can start a process: any mention of {@code java.lang.ProcessBuilder} (class, nested
 * type, descriptor or reflective name) and any call of {@code Runtime.exec}. Constant pools are
 * what a class links against, so nothing that starts a process without them can pass.
 */
final class ProcessStartScanner {

    /** One offending class and what it references. */
    record Finding(String className, String reference) {
        @Override
        public String toString() {
            return className + " -> " + reference;
        }
    }

    /** Scans every {@code .class} file under {@code root}. */
    static List<Finding> scanTree(Path root) throws IOException {
        List<Finding> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.addAll(scan(in));
                }
            }
        }
        return out;
    }

    static List<Finding> scan(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] refs = new int[count][];
        int[][] nameAndType = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // 8-byte constants take two slots
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 10, 11 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> in.readInt();
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        in.readUnsignedShort();
        String self = utf8[classNameIndex[in.readUnsignedShort()]].replace('/', '.');
        List<Finding> out = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            String s = utf8[i];
            if (s != null && (s.contains("java/lang/ProcessBuilder") || s.contains("java.lang.ProcessBuilder"))) {
                out.add(new Finding(self, "java.lang.ProcessBuilder (" + s + ")"));
            }
            if (refs[i] != null) {
                String owner = utf8[classNameIndex[refs[i][0]]];
                String name = utf8[nameAndType[refs[i][1]][0]];
                if ("java/lang/Runtime".equals(owner) && "exec".equals(name)) {
                    out.add(new Finding(self, "java.lang.Runtime.exec"));
                }
            }
        }
        return out;
    }
}
