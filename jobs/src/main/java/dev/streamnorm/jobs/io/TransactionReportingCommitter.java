package dev.streamnorm.jobs.io;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits like the Kafka sink's committer, and reports each transaction that it could not commit on
 * one line at ERROR (the launcher shows streamnorm's errors on stderr). Such a transaction holds
 * the output of a completed checkpoint; the broker has aborted it, most often because the job was
 * down (or could not reach the broker) for longer than {@code --transaction-timeout}, so its
 * records are missing from the output and the job will not write them again. The broker answers the
 * same way when a restored job commits again a transaction that was committed before the restart
 * (nothing is missing then); the committer cannot tell the two apart, so the line says so.
 */
final class TransactionReportingCommitter implements Committer<KafkaCommittable> {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionReportingCommitter.class);

    private final Committer<KafkaCommittable> committer;
    private final String target;
    private final Duration transactionTimeout;
    private final Consumer<String> reports;

    TransactionReportingCommitter(
            Committer<KafkaCommittable> committer, String target, Duration transactionTimeout) {
        this(committer, target, transactionTimeout, LOG::error);
    }

    /** Like the other constructor, with the reports going to {@code reports}. */
    TransactionReportingCommitter(
            Committer<KafkaCommittable> committer,
            String target,
            Duration transactionTimeout,
            Consumer<String> reports) {
        this.committer = committer;
        this.target = target;
        this.transactionTimeout = transactionTimeout;
        this.reports = reports;
    }

    @Override
    public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
            throws IOException, InterruptedException {
        List<CommitRequest<KafkaCommittable>> reporting = new ArrayList<>(requests.size());
        for (CommitRequest<KafkaCommittable> request : requests) {
            reporting.add(new Reporting(request));
        }
        committer.commit(reporting);
    }

    /** Reports {@code committable} as lost, on one line. */
    private void report(KafkaCommittable committable, Throwable cause) {
        reports.accept(
                "output "
                        + target
                        + ": the transaction "
                        + committable.getTransactionalId()
                        + " of a completed checkpoint could not be committed ("
                        + cause.getClass().getSimpleName()
                        + "): unless it was committed before the job restarted, the broker has"
                        + " aborted it, most likely because the job was down longer than"
                        + " --transaction-timeout ("
                        + transactionTimeout.toMillis()
                        + " ms), and the records it held are missing from the output; see"
                        + " 'Transaction timeouts' in the README");
    }

    @Override
    public void close() throws Exception {
        committer.close();
    }

    /** A commit request that reports its failure before passing it on. */
    private final class Reporting implements CommitRequest<KafkaCommittable> {
        private final CommitRequest<KafkaCommittable> request;

        Reporting(CommitRequest<KafkaCommittable> request) {
            this.request = request;
        }

        @Override
        public KafkaCommittable getCommittable() {
            return request.getCommittable();
        }

        @Override
        public int getNumberOfRetries() {
            return request.getNumberOfRetries();
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            report(getCommittable(), t);
            request.signalFailedWithKnownReason(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            report(getCommittable(), t);
            request.signalFailedWithUnknownReason(t);
        }

        @Override
        public void retryLater() {
            request.retryLater();
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable committable) {
            request.updateAndRetryLater(committable);
        }

        @Override
        public void signalAlreadyCommitted() {
            request.signalAlreadyCommitted();
        }
    }
}
