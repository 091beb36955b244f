package dev.streamnorm.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The chart of one feature of one key, drawn by JFreeChart as SVG (JFreeSVG): its shift above and
 * its psi below over event time, each with its alert threshold, and the times of alerting records
 * marked.
 */
final class DriftCharts {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;

    private static final Color SHIFT = new Color(0x1f77b4);
    private static final Color PSI = new Color(0x2ca02c);
    private static final Color THRESHOLD = new Color(0xd62728);
    private static final Color ALERT = new Color(0xd62728, false);

    private DriftCharts() {}

    /** The {@code <svg>} element of feature {@code feature} of {@code points}. */
    static String featureChart(
            String key,
            int feature,
            List<DriftHistory.Point> points,
            double shiftThreshold,
            double psiThreshold) {
        XYSeries shift = new XYSeries("shift");
        XYSeries psi = new XYSeries("psi");
        boolean timed = points.stream().allMatch(p -> p.ts != null);
        for (int i = 0; i < points.size(); i++) {
            DriftHistory.Point point = points.get(i);
            double x = timed ? point.ts : i + 1;
            DriftHistory.Feature f = point.features.get(feature);
            shift.add(x, finiteOrNull(f.shift));
            psi.add(x, finiteOrNull(f.psi));
        }
        XYPlot shiftPlot = plot(shift, SHIFT, "shift (σ)", -shiftThreshold, shiftThreshold);
        shiftPlot.addRangeMarker(threshold(shiftThreshold));
        shiftPlot.addRangeMarker(threshold(-shiftThreshold));
        XYPlot psiPlot = plot(psi, PSI, "psi", 0, psiThreshold);
        psiPlot.addRangeMarker(threshold(psiThreshold));
        ValueAxis time = timed ? new DateAxis("event time") : new NumberAxis("drift record");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
        combined.add(shiftPlot, 3);
        combined.add(psiPlot, 2);
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).alert) {
                ValueMarker alert = new ValueMarker(timed ? points.get(i).ts : i + 1);
                alert.setPaint(ALERT);
                alert.setAlpha(0.25f);
                alert.setStroke(new BasicStroke(3f));
                shiftPlot.addDomainMarker(alert);
            }
        }
        JFreeChart chart =
                new JFreeChart(
                        key + " · feature " + feature,
                        new Font(Font.SANS_SERIF, Font.BOLD, 14),
                        combined,
                        true);
        chart.setBackgroundPaint(Color.WHITE);
        SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(svg, new Rectangle(0, 0, WIDTH, HEIGHT));
        return svg.getSVGElement(null);
    }

    /** A plot of {@code series} whose range shows at least {@code low..high} (the thresholds). */
    private static XYPlot plot(
            XYSeries series, Color color, String label, double low, double high) {
        XYLineAndShapeRenderer renderer =
                new XYLineAndShapeRenderer(true, series.getItemCount() < 60);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        NumberAxis axis = new NumberAxis(label);
        double min = low;
        double max = high;
        if (series.getItemCount() > 0 && !Double.isNaN(series.getMinY())) {
            min = Math.min(min, series.getMinY());
            max = Math.max(max, series.getMaxY());
        }
        double margin = (max - min) * 0.08;
        axis.setRange(min - margin, max + margin);
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), null, axis, renderer);
        plot.setBackgroundPaint(new Color(0xf7f7f7));
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static ValueMarker threshold(double value) {
        ValueMarker marker = new ValueMarker(value);
        marker.setPaint(THRESHOLD);
        marker.setStroke(
                new BasicStroke(
                        1f,
                        BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER,
                        10f,
                        new float[] {4f, 4f},
                        0f));
        return marker;
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
