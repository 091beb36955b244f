package dev.streamnorm.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The security of a {@link KafkaBrokerProcess} that clients reach over SASL_SSL with SCRAM-SHA-512
 * only: a self-signed certificate for {@code 127.0.0.1} (a SAN, so hostname verification stays on)
 * in a PKCS12 keystore and a truststore holding it, both made with the JDK's {@code keytool}, and
 * an admin user whose SCRAM credential is written when the storage is formatted. Passwords are
 * random, so a test can search everything a run wrote for them.
 */
final class SaslSslSecurity {
    static final String MECHANISM = "SCRAM-SHA-512";
    static final String ADMIN = "admin";

    final String adminPassword = randomSecret();
    final String keystorePassword = randomSecret();
    final String truststorePassword = randomSecret();
    final Path keystore;
    final Path truststore;

    private SaslSslSecurity(Path dir) {
        this.keystore = dir.resolve("broker-keystore.p12");
        this.truststore = dir.resolve("client-truststore.p12");
    }

    /**
     * Makes the broker's key pair and certificate and the clients' truststore under {@code dir}.
     */
    static SaslSslSecurity create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        SaslSslSecurity security = new SaslSslSecurity(dir);
        Path certificate = dir.resolve("broker.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                security.keystore.toString(),
                "-storepass",
                security.keystorePassword);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                security.keystore.toString(),
                "-storepass",
                security.keystorePassword,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                security.truststore.toString(),
                "-storepass",
                security.truststorePassword);
        return security;
    }

    /** A random password (hex, so it needs no quoting anywhere). */
    static String randomSecret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return "pw" + HexFormat.of().formatHex(bytes);
    }

    /** The broker's listener and security settings: SASL_SSL for clients, the controller local. */
    List<String> serverProperties(int brokerPort, int controllerPort) {
        return List.of(
                "listeners=SASL_SSL://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + brokerPort,
                "inter.broker.listener.name=SASL_SSL",
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + jaasConfig(ADMIN, adminPassword),
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + keystore,
                "ssl.keystore.password=" + keystorePassword,
                "ssl.key.password=" + keystorePassword,
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + truststore,
                "ssl.truststore.password=" + truststorePassword);
    }

    /** {@code userPasswords} and every password of this security: what no run may write. */
    List<String> secrets(String... userPasswords) {
        List<String> secrets = new ArrayList<>(List.of(userPasswords));
        secrets.addAll(List.of(adminPassword, truststorePassword, keystorePassword));
        return secrets;
    }

    /** Arguments of {@code StorageTool format} that store the admin's SCRAM credential. */
    List<String> formatArguments() {
        return List.of(
                "--add-scram", MECHANISM + "=[name=" + ADMIN + ",password=" + adminPassword + "]");
    }

    /** The client properties of {@code user}, as a user passes them with --kafka-property. */
    Map<String, String> clientProperties(String user, String password) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("security.protocol", "SASL_SSL");
        properties.put("sasl.mechanism", MECHANISM);
        properties.put("sasl.jaas.config", jaasConfig(user, password));
        properties.put("ssl.truststore.type", "PKCS12");
        properties.put("ssl.truststore.location", truststore.toString());
        properties.put("ssl.truststore.password", truststorePassword);
        return properties;
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(
                    "keytool " + args[0] + " failed: " + new String(output).trim());
        }
    }
}
