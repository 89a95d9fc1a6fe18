"""Jinja2 templates of the disclosure report (kept in Python so they ship with the package)."""

TEXT = """\
CREDENCE DISCLOSURE REPORT
Subject: {{ r.subject_id }}    Generated: {{ r.generated_at|when }} UTC
This is everything this bureau holds about you, and everyone who saw it.

ENTITY
  {{ r.entity.entity_id }} ({{ r.entity.kind }}){% if r.entity.display_name %}, {{ r.entity.display_name }}{% endif %}, registered {{ r.entity.registered_at|day }}

CURRENT SCORE
{% if r.score.score is not none %}
  {{ r.score.score }} ({{ r.score.band }}) as of {{ r.score.as_of|day }}, scorecard {{ r.score.scorecard }}
{% else %}
  No score: {{ r.score.band }}{% if r.score.error is defined %} ({{ r.score.error }}){% endif %}

{% endif %}
{% if r.score.scale %}
  How the score adds up, in score points:
    {{ "%-22s"|format("Base") }} {{ "%5d"|format(r.score.scale.base) }}
{% for d in r.score.scale.parts %}
    {{ "%-22s"|format(d.name) }} {{ "%+5d"|format(d.points) }}  of at most {{ d.max }} (lost {{ d.lost }})
{% endfor %}
    {{ "%-22s"|format("Score") }} {{ "%5d"|format(r.score.scale.score) }}
  {{ r.score.scale.rule }}
{% endif %}
{% if r.score.reasons %}
  Main reasons your score is not higher:
{% for reason in r.score.reasons %}
    {{ loop.index }}. {{ reason.text }}
{% endfor %}
{% endif %}

EVENTS ({{ r.events|length }})
{% for e in r.events %}
  {{ e.occurred_at|day }}  {{ e.provider_id }}{% if e.provider_name %} ({{ e.provider_name }}){% endif %}  {{ e.event_id }}  {{ e.type|words }}{% if e.amount is not none %} amount {{ e.amount }}{% endif %}{% if e.days_late is not none %} {{ e.days_late }} days late{% endif %}{% if e.counterparty_id %} with {{ e.counterparty_id }}{% endif %}{% if e.supersedes %} (corrects {{ e.supersedes }}){% endif %}

      status: {{ e.status }}{% if e.dispute_id %}, dispute {{ e.dispute_id }}{% endif %}

{% else %}
  none
{% endfor %}

SCORE HISTORY ({{ r.score_history|length }})
{% for h in r.score_history %}
  {{ h.as_of|day }}  {{ h.score if h.score is not none else "-" }} ({{ h.band }})  {{ h.scorecard }}
{% for reason in h.reasons %}
      - {{ reason.text }}
{% endfor %}
{% else %}
  none
{% endfor %}

DISPUTES ({{ r.disputes|length }})
{% for d in r.disputes %}
  {{ d.dispute_id }}  event {{ d.provider_id }}/{{ d.event_id }}: {{ d.status }}
{% for h in d.history %}
      {{ h.acted_at|when }}  {{ h.action }} by {{ h.actor }}{% if h.note %}: {{ h.note }}{% endif %}

{% endfor %}
{% else %}
  none
{% endfor %}

GRANTS YOU GAVE ({{ r.grants_given|length }})
{% for g in r.grants_given %}
  {{ g.grant_id }}  {{ g.viewer_id }} may {{ "see your score" if g.scope == "score" else "ask for decisions" }} for '{{ g.purpose }}' from {{ g.granted_at|when }} until {{ g.expires_at|when }}: {{ g.status }}
{% else %}
  none
{% endfor %}

GRANTS YOU RECEIVED ({{ r.grants_received|length }})
{% for g in r.grants_received %}
  {{ g.grant_id }}  from {{ g.subject_id }}: {{ g.scope }} for '{{ g.purpose }}' until {{ g.expires_at|when }}: {{ g.status }}
{% else %}
  none
{% endfor %}

DECISIONS ({{ r.decisions|length }})
{% for d in r.decisions %}
  {{ d.decided_at|when }}  {{ d.partner_id }} applied {{ d.policy_id }} ({{ d.purpose }}): {{ d.outcome|words }}, score {{ d.score if d.score is not none else "-" }} ({{ d.band }})
{% if d.notice %}
{{ d.notice|indent(6, true) }}
{% endif %}
{% else %}
  none
{% endfor %}

CERTIFICATES ({{ r.certificates|length }})
{% for c in r.certificates %}
  {{ c.certificate_id }}  for {{ c.audience }}: score {{ c.score }} ({{ c.band }}), issued {{ c.issued_at|when }}, expires {{ c.expires_at|when }}{% if c.revoked_at %}, revoked {{ c.revoked_at|when }}{% endif %}

{% else %}
  none
{% endfor %}

VOUCHES ({{ r.vouches|length }})
{% for v in r.vouches %}
  {{ v.occurred_at|day }}  {{ v.entity_id }} {{ v.type|words }} {{ v.counterparty_id }}
{% else %}
  none
{% endfor %}

WHO SAW YOUR DATA ({{ r.access_log|length }})
{% for a in r.access_log %}
  {{ a.accessed_at|when }}  {{ a.viewer_id }}  {{ a.action|words }}{% if a.purpose %} for '{{ a.purpose }}'{% endif %}: {{ "allowed" if a.allowed else "REFUSED" }}{% if a.grant_id %} (grant {{ a.grant_id }}){% endif %}{% if a.detail %} - {{ a.detail }}{% endif %}

{% else %}
  none
{% endfor %}

YOUR RIGHTS
  - Nobody but you sees your score without your grant; revoke one in the Credence portal:
    /subjects/{{ r.subject_id }}#grants
  - Dispute any event, saying why, in the Credence portal: /subjects/{{ r.subject_id }}#events
    (it stops counting at once; unanswered in 30 days it is removed)
  - Adverse events stop counting after 7 years (bankruptcy 10); you can ask for erasure.
"""

HTML = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Credence disclosure report: {{ r.subject_id }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef}
.score{font-size:2.5rem;font-weight:700}.muted{color:#667}.refused{color:#a11}.nocount{color:#a60}
pre{white-space:pre-wrap;background:#f6f7fb;padding:.5rem}
</style></head><body>
<h1>Credence disclosure report</h1>
<p>Subject <strong>{{ r.subject_id }}</strong> ({{ r.entity.kind }}{% if r.entity.display_name %}, {{ r.entity.display_name }}{% endif %}),
registered {{ r.entity.registered_at|day }}. Generated {{ r.generated_at|when }} UTC.
This is everything this bureau holds about you, and everyone who saw it.</p>

<h2>Current score</h2>
{% if r.score.score is not none %}
<p><span class="score">{{ r.score.score }}</span> {{ r.score.band }} <span class="muted">as of {{ r.score.as_of|day }}, {{ r.score.scorecard }}</span></p>
{% else %}<p>No score: {{ r.score.band }}</p>{% endif %}
{% if r.score.scale %}<table><tr><th>part</th><th>score points</th><th>of at most</th><th>lost</th></tr>
<tr><td>Base</td><td>{{ r.score.scale.base }}</td><td></td><td></td></tr>
{% for d in r.score.scale.parts %}<tr><td>{{ d.name }}</td><td>+{{ d.points }}</td><td>{{ d.max }}</td><td>{{ d.lost }}</td></tr>{% endfor %}
<tr><th>Score</th><th>{{ r.score.scale.score }}</th><td></td><td></td></tr></table>
<p class="muted">{{ r.score.scale.rule }}</p>{% endif %}
{% if r.score.reasons %}<ol>{% for reason in r.score.reasons %}<li>{{ reason.text }}</li>{% endfor %}</ol>{% endif %}

<h2>Events ({{ r.events|length }})</h2>
<table><tr><th>date</th><th>provider</th><th>event</th><th>type</th><th>details</th><th>status</th></tr>
{% for e in r.events %}
<tr><td>{{ e.occurred_at|day }}</td><td>{{ e.provider_name or e.provider_id }}</td><td>{{ e.event_id }}</td><td>{{ e.type|words }}</td>
<td>{% if e.amount is not none %}amount {{ e.amount }} {% endif %}{% if e.days_late is not none %}{{ e.days_late }} days late {% endif %}{% if e.counterparty_id %}with {{ e.counterparty_id }} {% endif %}{% if e.supersedes %}corrects {{ e.supersedes }}{% endif %}</td>
<td class="{{ '' if e.counts else 'nocount' }}">{{ e.status }}{% if e.dispute_id %} ({{ e.dispute_id }}){% endif %}</td></tr>
{% endfor %}</table>

<h2>Score history</h2>
<table><tr><th>as of</th><th>score</th><th>band</th><th>reasons</th></tr>
{% for h in r.score_history %}<tr><td>{{ h.as_of|day }}</td><td>{{ h.score if h.score is not none else "-" }}</td><td>{{ h.band }}</td>
<td>{% for reason in h.reasons %}{{ reason.text }}<br>{% endfor %}</td></tr>{% endfor %}</table>

<h2>Disputes</h2>
{% for d in r.disputes %}<p><strong>{{ d.dispute_id }}</strong> event {{ d.provider_id }}/{{ d.event_id }}: {{ d.status }}</p>
<ul>{% for h in d.history %}<li>{{ h.acted_at|when }} {{ h.action }} by {{ h.actor }}{% if h.note %}: {{ h.note }}{% endif %}</li>{% endfor %}</ul>
{% else %}<p class="muted">none</p>{% endfor %}

<h2>Grants you gave</h2>
<table><tr><th>grant</th><th>viewer</th><th>scope</th><th>purpose</th><th>until</th><th>status</th></tr>
{% for g in r.grants_given %}<tr><td>{{ g.grant_id }}</td><td>{{ g.viewer_id }}</td><td>{{ g.scope }}</td><td>{{ g.purpose }}</td><td>{{ g.expires_at|when }}</td><td>{{ g.status }}</td></tr>{% endfor %}</table>

<h2>Decisions</h2>
{% for d in r.decisions %}<p>{{ d.decided_at|when }} <strong>{{ d.partner_id }}</strong> applied {{ d.policy_id }}: {{ d.outcome|words }} (score {{ d.score if d.score is not none else "-" }}, {{ d.band }})</p>
{% if d.notice %}<pre>{{ d.notice }}</pre>{% endif %}{% else %}<p class="muted">none</p>{% endfor %}

<h2>Certificates</h2>
<table><tr><th>id</th><th>audience</th><th>score</th><th>issued</th><th>expires</th><th>revoked</th></tr>
{% for c in r.certificates %}<tr><td>{{ c.certificate_id }}</td><td>{{ c.audience }}</td><td>{{ c.score }} ({{ c.band }})</td><td>{{ c.issued_at|when }}</td><td>{{ c.expires_at|when }}</td><td>{{ c.revoked_at|when if c.revoked_at else "" }}</td></tr>{% endfor %}</table>

<h2>Vouches</h2>
<table>{% for v in r.vouches %}<tr><td>{{ v.occurred_at|day }}</td><td>{{ v.entity_id }} {{ v.type|words }} {{ v.counterparty_id }}</td></tr>{% else %}<tr><td class="muted">none</td></tr>{% endfor %}</table>

<h2>Who saw your data</h2>
<table><tr><th>when</th><th>who</th><th>what</th><th>purpose</th><th>result</th><th>detail</th></tr>
{% for a in r.access_log %}<tr><td>{{ a.accessed_at|when }}</td><td>{{ a.viewer_id }}</td><td>{{ a.action|words }}</td><td>{{ a.purpose or "" }}</td>
<td class="{{ '' if a.allowed else 'refused' }}">{{ "allowed" if a.allowed else "refused" }}</td><td>{{ a.detail or "" }}</td></tr>{% endfor %}</table>

<h2>Your rights</h2>
<ul><li>Nobody but you sees your score without your grant; you can revoke a grant at any time.</li>
<li>You can dispute any event: it stops counting at once, and if the provider does not answer in 30 days it is removed.</li>
<li>Adverse events stop counting after 7 years (bankruptcy 10); you can ask for erasure.</li></ul>
</body></html>
"""
