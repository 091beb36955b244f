package dev.streamnorm.jobs.cli;

import picocli.CommandLine;

/** The version printed by {@code streamnorm --version}, from the jar's manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = StreamnormCli.class.getPackage().getImplementationVersion();
        return new String[] {"streamnorm " + (version == null ? "(development build)" : version)};
    }
}
