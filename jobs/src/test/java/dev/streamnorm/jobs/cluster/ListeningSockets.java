package dev.streamnorm.jobs.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP ports a process listens on, and on which address, read from Linux's {@code /proc}: the
 * process's socket inodes ({@code /proc/<pid>/fd}) matched with the listening sockets of {@code
 * /proc/<pid>/net/tcp} and {@code tcp6}.
 */
final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    /** {@code address:port} of every listening TCP socket of {@code pid}, e.g. 127.0.0.1:8081. */
    static List<String> of(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds =
                Files.newDirectoryStream(Paths.get("/proc/" + pid, "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed after the listing: not a listening socket
                }
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines = Files.readAllLines(Paths.get("/proc/" + pid, "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    listening.add(address(f[1]));
                }
            }
        }
        return listening;
    }

    /** {@code 0100007F:1F90} → {@code 127.0.0.1:8080}; an IPv6 address stays in hex. */
    private static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String ip = parts[0];
        if (ip.length() == 8) {
            long v = Long.parseLong(ip, 16);
            ip =
                    (v & 0xff)
                            + "."
                            + (v >> 8 & 0xff)
                            + "."
                            + (v >> 16 & 0xff)
                            + "."
                            + (v >> 24 & 0xff);
        } else if (ip.equals("0000000000000000FFFF00000100007F")) {
            ip = "127.0.0.1";
        } else if (ip.equals("00000000000000000000000000000000")) {
            ip = "[::]";
        } else if (ip.equals("00000000000000000000000001000000")) {
            ip = "[::1]";
        } else {
            ip = "[" + ip + "]";
        }
        return ip + ":" + port;
    }
}
