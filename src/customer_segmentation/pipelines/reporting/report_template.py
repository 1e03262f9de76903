"""The Jinja2 template of the self-contained HTML segmentation report."""

REPORT_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
         margin: 0; color: #1f2933; background: #f5f7fa; line-height: 1.45; }
  header { background: #243b53; color: #fff; padding: 24px 40px; }
  header h1 { margin: 0 0 4px 0; font-size: 28px; }
  header p { margin: 0; color: #d9e2ec; }
  nav { background: #fff; padding: 10px 40px; border-bottom: 1px solid #d9e2ec; }
  nav a { margin-right: 18px; color: #334e68; text-decoration: none; font-weight: 600; }
  main { padding: 8px 40px 40px 40px; max-width: 1300px; }
  section { background: #fff; border-radius: 8px; padding: 16px 24px; margin: 18px 0;
            box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
  h2 { margin-top: 4px; color: #243b53; }
  table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
  th, td { border-bottom: 1px solid #e4e7eb; padding: 5px 10px; text-align: left;
           vertical-align: top; }
  th { background: #f0f4f8; }
  td.number { text-align: right; font-variant-numeric: tabular-nums; }
  tr.chosen td { background: #e3f8ff; font-weight: 600; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr));
           gap: 14px; }
  .card { border: 1px solid #d9e2ec; border-left: 8px solid var(--colour);
          border-radius: 6px; padding: 10px 16px; }
  .card table { width: 100%; font-size: 13px; }
  .card td:first-child { word-break: break-word; }
  .card h3 { margin: 2px 0 6px 0; font-size: 17px; }
  .action { background: #fffbea; border-radius: 4px; padding: 6px 10px; }
  .muted { color: #627d98; font-size: 13px; }
  .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
            background: var(--colour); margin-right: 6px; vertical-align: middle; }
  figure { margin: 14px 0; }
  figure img { max-width: 100%; height: auto; border: 1px solid #e4e7eb; }
  figcaption { color: #486581; font-size: 14px; margin-top: 4px; }
  ul.rules { padding-left: 20px; margin: 4px 0; }
  code { background: #f0f4f8; padding: 1px 4px; border-radius: 3px; font-size: 13px; }
</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p>{{ n_customers | thousands }} customers in {{ segments | length }} segments
     &middot; rules reproduce {{ percent(rules_summary.fidelity) }} of the assignments</p>
</header>
<nav>
  <a href="#data-quality">Data quality</a><a href="#model-choice">Model choice</a>
  <a href="#segments">Segments</a><a href="#rules">Rules</a>
  <a href="#migration">Migration</a><a href="#plots">Plots</a>
  {% if customer_value_section %}<a href="#customer-value">Customer value</a>{% endif %}
</nav>
<main>
<section id="data-quality">
  <h2>Data quality</h2>
  {% if data_quality %}
  <table>
    <tr><th>Measure</th><th>Value</th></tr>
    {% for key, value in data_quality.items() if value is not mapping %}
    <tr><td>{{ key | replace("_", " ") }}</td>
        <td class="{{ 'number' if value is number else '' }}">{{ value | thousands if value is number else value }}</td></tr>
    {% endfor %}
  </table>
  {% if data_quality.rows_dropped is defined %}
  <table>
    <tr><th>Rule</th><th>Rows dropped</th><th>Share of rows in</th></tr>
    {% for rule, rows in data_quality.rows_dropped.items() %}
    <tr><td>{{ rule | replace("_", " ") }}</td><td class="number">{{ rows | thousands }}</td>
        <td class="number">{{ percent(rows / data_quality.rows_in if data_quality.get("rows_in") else none) }}</td></tr>
    {% else %}
    <tr><td colspan="3">No row was dropped.</td></tr>
    {% endfor %}
  </table>
  {% endif %}
  {% if data_quality.tables is defined and data_quality.tables is mapping %}
  <table>
    <tr><th>Table</th><th>Rows in</th><th>Rows dropped (by rule)</th><th>Rows out</th></tr>
    {% for table, counts in data_quality.tables.items() %}
    <tr><td>{{ table }}</td>
        <td class="number">{{ counts.get("rows_in", 0) | thousands }}</td>
        <td>{% for rule, rows in counts.get("rows_dropped", {}).items() %}{{ rule | replace("_", " ") }}: {{ rows | thousands }}{{ "; " if not loop.last }}{% else %}none{% endfor %}</td>
        <td class="number">{{ counts.get("rows_out", 0) | thousands }}</td></tr>
    {% endfor %}
  </table>
  {% endif %}
  {% else %}
  <p>No data-quality report was given.</p>
  {% endif %}
</section>

<section id="model-choice">
  <h2>Model choice</h2>
  <p>{{ model_choice.summary }}</p>
  <table>
    <tr>{% for column in model_choice.columns %}<th>{{ column }}</th>{% endfor %}</tr>
    {% for row in model_choice.rows %}
    <tr class="{{ 'chosen' if row.chosen else '' }}">
      {% for column in model_choice.columns %}<td class="number">{{ row.cells[column] }}</td>{% endfor %}
    </tr>
    {% endfor %}
  </table>
</section>

<section id="segments">
  <h2>Segments</h2>
  <table>
    <tr><th>Segment</th><th>Customers</th><th>Share of customers</th>
        <th>Share of revenue</th><th>Recommended action</th></tr>
    {% for segment in segments %}
    <tr><td><span class="swatch" style="--colour: {{ segment.colour }}"></span>
            {{ segment.segment_id }} &middot; {{ segment.segment_name }}</td>
        <td class="number">{{ segment.n_customers | thousands }}</td>
        <td class="number">{{ percent(segment.customer_share) }}</td>
        <td class="number">{{ percent(segment.revenue_share) if segment.revenue_share is not none else "n/a" }}</td>
        <td>{{ segment.recommended_action }}</td></tr>
    {% endfor %}
  </table>
  <div class="cards">
  {% for segment in segments %}
    <div class="card segment-card" style="--colour: {{ segment.colour }}">
      <h3>{{ segment.segment_id }} &middot; {{ segment.segment_name }}</h3>
      <p class="muted">{{ segment.n_customers | thousands }} customers
        ({{ percent(segment.customer_share) }})
        {% if segment.dominant_rfm_segment %}&middot; {{ percent(segment.dominant_rfm_share) }}
        are RFM &ldquo;{{ segment.dominant_rfm_segment }}&rdquo;{% endif %}</p>
      <p class="action"><strong>Action:</strong> {{ segment.recommended_action }}</p>
      <table>
        <tr><th>Feature</th><th>Mean</th><th>Median</th><th>vs all customers</th></tr>
        {% for feature in segment.features %}
        <tr><td>{{ feature.name }}</td><td class="number">{{ feature.mean }}</td>
            <td class="number">{{ feature.median }}</td>
            <td class="number">{{ feature.z }}</td></tr>
        {% endfor %}
      </table>
      {% if segment.categories %}
      <p class="muted">{% for category in segment.categories %}{{ category }}{{ "; " if not loop.last }}{% endfor %}</p>
      {% endif %}
      <strong>Rules</strong>
      <ul class="rules">
        {% for rule in segment.rules %}
        <li>IF {{ rule.rule }} &rarr; {{ percent(rule.precision) }} in this segment,
            catches {{ percent(rule.coverage) }} of it</li>
        {% else %}
        <li>No rule of the surrogate tree points to this segment.</li>
        {% endfor %}
      </ul>
    </div>
  {% endfor %}
  </div>
</section>

{{ customer_value_section }}
<section id="rules">
  <h2>Rules a CRM can apply</h2>
  <p>A decision tree of depth at most {{ rules_summary.max_depth }} describes the segments in
     {{ rules_summary.n_rules }} if-then rules on the original feature units.
     <strong>Fidelity: {{ percent(rules_summary.fidelity) }}</strong> of the
     {{ rules_summary.n_customers | thousands }} customers get their own segment from the rules.</p>
  <table>
    <tr><th>Segment</th><th>IF</th><th>Customers</th><th>In segment</th><th>Catches</th></tr>
    {% for rule in all_rules %}
    <tr><td>{{ rule.segment_id }} &middot; {{ rule.segment_name }}</td><td>{{ rule.rule }}</td>
        <td class="number">{{ rule.n_customers | thousands }}</td>
        <td class="number">{{ percent(rule.precision) }}</td>
        <td class="number">{{ percent(rule.coverage) }}</td></tr>
    {% endfor %}
  </table>
</section>

<section id="migration">
  <h2>Migration since the previous run</h2>
  {% if migration %}
  <p>{{ migration.stayed | thousands }} of {{ migration.total | thousands }} customers
     ({{ percent(migration.stayed / migration.total) }}) kept their segment id.</p>
  {% else %}
  <p>No previous version of the segment assignments yet: the next run will compare with this one.</p>
  {% endif %}
</section>

<section id="plots">
  <h2>Plots</h2>
  {% for plot in plots %}
  <figure>
    <img src="data:image/png;base64,{{ plot.data }}" alt="{{ plot.caption }}">
    <figcaption>{{ plot.caption }}</figcaption>
  </figure>
  {% endfor %}
</section>
<p class="muted">Generated by the <code>reporting</code> pipeline of the customer segmentation
   Kedro project.</p>
</main>
</body>
</html>
"""
