package dev.streamnorm.sql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Runs SQL scripts on a table environment with the {@code streamnorm} module loaded: DDL, queries
 * (printed), {@code INSERT INTO} (each waits for its job to finish), and {@code SET 'key' =
 * 'value'} / {@code RESET 'key'}, which change the session configuration as in Flink's SQL client.
 *
 * <pre>{@code
 * SqlRunner runner = new SqlRunner(StreamTableEnvironment.create(env));
 * runner.run(Files.readString(Path.of("script.sql")));
 * }</pre>
 */
public final class SqlRunner {
    private static final Pattern SET =
            Pattern.compile("(?is)SET\\s+'([^']*)'\\s*=\\s*'((?:[^']|'')*)'");
    private static final Pattern RESET = Pattern.compile("(?is)RESET\\s+'([^']*)'");

    private static final Pattern QUERY =
            Pattern.compile("(?is)(SELECT|WITH|VALUES|SHOW|DESCRIBE|DESC|EXPLAIN)\\b.*");

    private final StreamTableEnvironment tables;

    /** A runner on {@code tables}, printing query results to stdout; loads the module. */
    public SqlRunner(StreamTableEnvironment tables) {
        this.tables = tables;
        if (!java.util.Arrays.asList(tables.listModules()).contains(StreamnormModule.NAME)) {
            tables.loadModule(StreamnormModule.NAME, new StreamnormModule());
        }
    }

    /**
     * Runs every statement of {@code script} in order.
     *
     * @throws Exception from the first statement that fails (planning or job)
     */
    public void run(String script) throws Exception {
        for (String statement : SqlScript.statements(script)) {
            execute(statement);
        }
    }

    private void execute(String statement) throws Exception {
        Matcher set = SET.matcher(statement);
        if (set.matches()) {
            tables.getConfig()
                    .getConfiguration()
                    .setString(set.group(1), set.group(2).replace("''", "'"));
            return;
        }
        Matcher reset = RESET.matcher(statement);
        if (reset.matches()) {
            tables.getConfig().getConfiguration().removeKey(reset.group(1));
            return;
        }
        TableResult result = tables.executeSql(statement);
        if (QUERY.matcher(statement).matches()) {
            result.print();
        } else if (result.getJobClient().isPresent()) {
            result.await();
        }
    }
}
