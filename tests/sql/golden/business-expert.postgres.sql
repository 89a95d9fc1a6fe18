WITH event_types AS MATERIALIZED (
  SELECT
    'loan_opened' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'instalment_paid_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'instalment_paid_late' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'loan_default' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'loan_closed' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'utility_bill_paid_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'utility_bill_overdue' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'phone_bill_paid_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'phone_bill_overdue' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rent_paid_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rent_overdue' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rental_returned_ok' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rental_returned_late' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rental_returned_damaged' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rental_parked_outside_zone' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'rental_deposit_forfeited' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'purchase' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'refund' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'fraudulent_chargeback' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'court_judgment_entered' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'court_judgment_fulfilled' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'court_judgment_unfulfilled' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'bankruptcy' AS type_key,
    CAST(3652 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'identity_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    TRUE AS t8
  UNION ALL
  SELECT
    'address_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    TRUE AS t8
  UNION ALL
  SELECT
    'education_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'employment_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'income_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    TRUE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'assets_verified' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    TRUE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'vouch_given' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'vouch_accepted' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'vouch_revoked' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'tax_filed_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'tax_filed_overdue' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'licence_valid' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    TRUE AS t8
  UNION ALL
  SELECT
    'licence_revoked' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    TRUE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'supplier_invoice_paid_on_time' AS type_key,
    CAST(NULL AS INT) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'supplier_invoice_paid_late' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
  UNION ALL
  SELECT
    'regulatory_penalty' AS type_key,
    CAST(2557 AS INT) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8
), ev AS MATERIALIZED (
  SELECT
    *
  FROM (
    SELECT
      entity_id,
      adverse,
      amount,
      days_late,
      purchase_category,
      rental_asset,
      CAST(EXTRACT(epoch FROM CAST(CAST(CAST('2026-01-01 00:00:00' AS TIMESTAMP) AS DATE) AS TIMESTAMP) - CAST(CAST(occurred_at AS DATE) AS TIMESTAMP)) / 86400 AS BIGINT) AS age_days,
      retention_days,
      t0,
      t1,
      t2,
      t3,
      t4,
      t5,
      t6,
      t7,
      t8
    FROM effective_events
    LEFT JOIN event_types
      ON type_key = type
    WHERE
      entity_id IN (
        SELECT
          entity_id
        FROM entities
        WHERE
          kind IN ('business', 'institution')
      )
      AND occurred_at <= CAST('2026-01-01 00:00:00' AS TIMESTAMP)
  ) AS e
  WHERE
    NOT (
      adverse
    ) OR age_days <= retention_days
), agg AS MATERIALIZED (
  SELECT
    entity_id,
    COUNT(*) AS n_events,
    MAX(age_days) AS history_days,
    SUM(
      CASE
        WHEN t0 AND age_days < 730
        THEN POWER(CAST(0.5 AS DOUBLE PRECISION), CAST(age_days AS DOUBLE PRECISION) / 365)
        ELSE 0
      END
    ) AS f0_num,
    SUM(
      CASE
        WHEN t1 AND age_days < 730
        THEN POWER(CAST(0.5 AS DOUBLE PRECISION), CAST(age_days AS DOUBLE PRECISION) / 365)
        ELSE 0
      END
    ) AS f0_den,
    COUNT(CASE WHEN t2 AND age_days < 365 THEN 1 END) AS f1,
    COUNT(CASE WHEN t3 THEN 1 END) AS f2,
    COUNT(CASE WHEN t4 AND age_days < 1095 THEN 1 END) AS f3,
    SUM(CASE WHEN t5 AND age_days < 730 THEN amount * 1 END) AS f4,
    SUM(CASE WHEN t6 AND age_days < 400 THEN amount * 1 END) AS f5,
    COUNT(CASE WHEN t7 THEN 1 END) AS f6,
    MIN(CASE WHEN t8 THEN age_days END) AS f7
  FROM ev
  GROUP BY
    entity_id
), vside AS MATERIALIZED (
  SELECT
    entity_id,
    counterparty_id,
    MAX(CASE WHEN type = 'vouch_given' THEN occurred_at END) AS given_at,
    MAX(CASE WHEN type = 'vouch_accepted' THEN occurred_at END) AS accepted_at,
    MAX(CASE WHEN type = 'vouch_revoked' THEN occurred_at END) AS revoked_at
  FROM effective_events
  WHERE
    type IN ('vouch_given', 'vouch_accepted', 'vouch_revoked')
    AND NOT counterparty_id IS NULL
    AND occurred_at <= CAST('2026-01-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    entity_id,
    counterparty_id
), vouch AS MATERIALIZED (
  SELECT
    g.entity_id AS voucher,
    g.counterparty_id AS vouchee,
    CASE WHEN g.given_at > a.accepted_at THEN g.given_at ELSE a.accepted_at END AS since
  FROM vside AS g
  JOIN vside AS a
    ON a.entity_id = g.counterparty_id AND a.counterparty_id = g.entity_id
  WHERE
    (
      NOT g.given_at IS NULL
      AND (
        g.revoked_at IS NULL OR g.revoked_at < g.given_at
      )
    )
    AND (
      NOT a.accepted_at IS NULL
      AND (
        a.revoked_at IS NULL OR a.revoked_at < a.accepted_at
      )
    )
    AND g.entity_id <> g.counterparty_id
), vlink AS MATERIALIZED (
  SELECT
    voucher AS entity_id,
    vouchee AS other,
    'voucher' AS role,
    since,
    CAST(EXTRACT(epoch FROM CAST(CAST(CAST('2026-01-01 00:00:00' AS TIMESTAMP) AS DATE) AS TIMESTAMP) - CAST(CAST(since AS DATE) AS TIMESTAMP)) / 86400 AS BIGINT) AS age_days
  FROM vouch
  UNION ALL
  SELECT
    vouchee AS entity_id,
    voucher AS other,
    'vouchee' AS role,
    since,
    CAST(EXTRACT(epoch FROM CAST(CAST(CAST('2026-01-01 00:00:00' AS TIMESTAMP) AS DATE) AS TIMESTAMP) - CAST(CAST(since AS DATE) AS TIMESTAMP)) / 86400 AS BIGINT) AS age_days
  FROM vouch
), vev AS MATERIALIZED (
  SELECT
    *
  FROM (
    SELECT
      l.entity_id,
      x.type,
      x.category,
      x.dimension,
      x.adverse,
      x.amount,
      x.days_late,
      x.purchase_category,
      x.rental_asset,
      CAST(EXTRACT(epoch FROM CAST(CAST(CAST('2026-01-01 00:00:00' AS TIMESTAMP) AS DATE) AS TIMESTAMP) - CAST(CAST(x.occurred_at AS DATE) AS TIMESTAMP)) / 86400 AS BIGINT) AS age_days
    FROM vlink AS l
    JOIN effective_events AS x
      ON x.entity_id = l.other
      AND x.adverse
      AND x.occurred_at >= l.since
      AND x.occurred_at <= CAST('2026-01-01 00:00:00' AS TIMESTAMP)
    WHERE
      l.role = 'voucher'
  ) AS e
  WHERE
    NOT (
      adverse
    )
    OR age_days <= CASE
      WHEN type IN (
        'court_judgment_entered',
        'court_judgment_unfulfilled',
        'fraudulent_chargeback',
        'instalment_paid_late',
        'licence_revoked',
        'loan_default',
        'phone_bill_overdue',
        'regulatory_penalty',
        'rent_overdue',
        'rental_deposit_forfeited',
        'rental_parked_outside_zone',
        'rental_returned_damaged',
        'rental_returned_late',
        'supplier_invoice_paid_late',
        'tax_filed_overdue',
        'utility_bill_overdue'
      )
      THEN 2557
      WHEN type IN ('bankruptcy')
      THEN 3652
    END
), vagg AS MATERIALIZED (
  SELECT
    c.entity_id,
    c.n_vouched,
    c.f8
  FROM (
    SELECT
      entity_id,
      SUM(CASE WHEN role = 'voucher' THEN 1 ELSE 0 END) AS n_vouched,
      SUM(CASE WHEN TRUE AND age_days < 730 THEN 1 ELSE 0 END) AS f8
    FROM vlink
    GROUP BY
      entity_id
  ) AS c
  LEFT JOIN (
    SELECT
      entity_id
    FROM vev
    GROUP BY
      entity_id
  ) AS d
    ON c.entity_id = d.entity_id
), feat AS MATERIALIZED (
  SELECT
    n.entity_id AS entity_id,
    n.kind AS kind,
    COALESCE(a.n_events, 0) AS n_events,
    a.history_days AS history_days,
    CASE
      WHEN a.f0_den > 0
      THEN CAST(a.f0_num AS DOUBLE PRECISION) / CAST(a.f0_den AS DOUBLE PRECISION)
    END AS f0,
    COALESCE(CAST(a.f1 AS DOUBLE PRECISION), 0) AS f1,
    COALESCE(CAST(a.f2 AS DOUBLE PRECISION), 0) AS f2,
    COALESCE(CAST(a.f3 AS DOUBLE PRECISION), 0) AS f3,
    CAST(a.f4 AS DOUBLE PRECISION) AS f4,
    CAST(a.f5 AS DOUBLE PRECISION) AS f5,
    COALESCE(CAST(a.f6 AS DOUBLE PRECISION), 0) AS f6,
    CAST(a.f7 AS DOUBLE PRECISION) AS f7,
    COALESCE(CAST(v.f8 AS DOUBLE PRECISION), 0) AS f8
  FROM (
    SELECT
      entity_id,
      MAX(kind) AS kind
    FROM entities
    GROUP BY
      entity_id
  ) AS n
  LEFT JOIN agg AS a
    ON n.entity_id = a.entity_id
  LEFT JOIN vagg AS v
    ON n.entity_id = v.entity_id
  WHERE
    n.kind IN ('business', 'institution')
), pts AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN f0 IS NULL
      THEN 40
      ELSE CASE
        WHEN f0 < CAST(0.9 AS DOUBLE PRECISION)
        THEN CASE WHEN f0 < CAST(0.8 AS DOUBLE PRECISION) THEN 0 ELSE 40 END
        ELSE CASE WHEN f0 < CAST(0.97 AS DOUBLE PRECISION) THEN 80 ELSE 110 END
      END
    END AS p0,
    CASE
      WHEN f1 IS NULL
      THEN 0
      ELSE CASE WHEN f1 < 1 THEN 70 ELSE CASE WHEN f1 < 4 THEN 35 ELSE 0 END END
    END AS p1,
    CASE
      WHEN f2 IS NULL
      THEN 0
      ELSE CASE WHEN f2 < 1 THEN 90 ELSE CASE WHEN f2 < 2 THEN 20 ELSE 0 END END
    END AS p2,
    CASE
      WHEN f3 IS NULL
      THEN 0
      ELSE CASE WHEN f3 < 1 THEN 60 ELSE CASE WHEN f3 < 3 THEN 25 ELSE 0 END END
    END AS p3,
    CASE
      WHEN f4 IS NULL
      THEN 0
      ELSE CASE WHEN f4 < 50000 THEN 10 ELSE CASE WHEN f4 < 500000 THEN 35 ELSE 60 END END
    END AS p4,
    CASE
      WHEN f5 IS NULL
      THEN 0
      ELSE CASE WHEN f5 < 20000 THEN 10 ELSE CASE WHEN f5 < 200000 THEN 30 ELSE 50 END END
    END AS p5,
    CASE WHEN f6 IS NULL THEN 0 ELSE CASE WHEN f6 < 1 THEN 50 ELSE 0 END END AS p6,
    CASE
      WHEN f7 IS NULL
      THEN 0
      ELSE CASE WHEN f7 < 400 THEN 40 ELSE CASE WHEN f7 < 1100 THEN 20 ELSE 5 END END
    END AS p7,
    CASE
      WHEN f8 IS NULL
      THEN 0
      ELSE CASE WHEN f8 < 1 THEN 0 ELSE CASE WHEN f8 < 3 THEN 15 ELSE 25 END END
    END AS p8
  FROM feat
), lost AS MATERIALIZED (
  SELECT
    *,
    p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7 + p8 AS total_points,
    CAST(p0 + p1 + p2 AS DOUBLE PRECISION) AS points_credit_history,
    CAST(p3 AS DOUBLE PRECISION) AS points_behaviour,
    CAST(p4 + p5 AS DOUBLE PRECISION) AS points_capacity,
    CAST(p6 + p7 AS DOUBLE PRECISION) AS points_identity,
    CAST(p8 AS DOUBLE PRECISION) AS points_connections,
    110 - p0 AS l0,
    70 - p1 AS l1,
    90 - p2 AS l2,
    60 - p3 AS l3,
    60 - p4 AS l4,
    50 - p5 AS l5,
    50 - p6 AS l6,
    40 - p7 AS l7,
    25 - p8 AS l8
  FROM pts
), ranked AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN l0 > 0
      THEN CASE WHEN l1 > l0 THEN 1 ELSE 0 END + CASE WHEN l2 > l0 THEN 1 ELSE 0 END + CASE WHEN l3 > l0 THEN 1 ELSE 0 END + CASE WHEN l4 > l0 THEN 1 ELSE 0 END + CASE WHEN l5 > l0 THEN 1 ELSE 0 END + CASE WHEN l6 > l0 THEN 1 ELSE 0 END + CASE WHEN l7 > l0 THEN 1 ELSE 0 END + CASE WHEN l8 > l0 THEN 1 ELSE 0 END
      ELSE 9
    END AS r0,
    CASE
      WHEN l1 > 0
      THEN CASE WHEN l0 >= l1 THEN 1 ELSE 0 END + CASE WHEN l2 > l1 THEN 1 ELSE 0 END + CASE WHEN l3 > l1 THEN 1 ELSE 0 END + CASE WHEN l4 > l1 THEN 1 ELSE 0 END + CASE WHEN l5 > l1 THEN 1 ELSE 0 END + CASE WHEN l6 > l1 THEN 1 ELSE 0 END + CASE WHEN l7 > l1 THEN 1 ELSE 0 END + CASE WHEN l8 > l1 THEN 1 ELSE 0 END
      ELSE 9
    END AS r1,
    CASE
      WHEN l2 > 0
      THEN CASE WHEN l0 >= l2 THEN 1 ELSE 0 END + CASE WHEN l1 >= l2 THEN 1 ELSE 0 END + CASE WHEN l3 > l2 THEN 1 ELSE 0 END + CASE WHEN l4 > l2 THEN 1 ELSE 0 END + CASE WHEN l5 > l2 THEN 1 ELSE 0 END + CASE WHEN l6 > l2 THEN 1 ELSE 0 END + CASE WHEN l7 > l2 THEN 1 ELSE 0 END + CASE WHEN l8 > l2 THEN 1 ELSE 0 END
      ELSE 9
    END AS r2,
    CASE
      WHEN l3 > 0
      THEN CASE WHEN l0 >= l3 THEN 1 ELSE 0 END + CASE WHEN l1 >= l3 THEN 1 ELSE 0 END + CASE WHEN l2 >= l3 THEN 1 ELSE 0 END + CASE WHEN l4 > l3 THEN 1 ELSE 0 END + CASE WHEN l5 > l3 THEN 1 ELSE 0 END + CASE WHEN l6 > l3 THEN 1 ELSE 0 END + CASE WHEN l7 > l3 THEN 1 ELSE 0 END + CASE WHEN l8 > l3 THEN 1 ELSE 0 END
      ELSE 9
    END AS r3,
    CASE
      WHEN l4 > 0
      THEN CASE WHEN l0 >= l4 THEN 1 ELSE 0 END + CASE WHEN l1 >= l4 THEN 1 ELSE 0 END + CASE WHEN l2 >= l4 THEN 1 ELSE 0 END + CASE WHEN l3 >= l4 THEN 1 ELSE 0 END + CASE WHEN l5 > l4 THEN 1 ELSE 0 END + CASE WHEN l6 > l4 THEN 1 ELSE 0 END + CASE WHEN l7 > l4 THEN 1 ELSE 0 END + CASE WHEN l8 > l4 THEN 1 ELSE 0 END
      ELSE 9
    END AS r4,
    CASE
      WHEN l5 > 0
      THEN CASE WHEN l0 >= l5 THEN 1 ELSE 0 END + CASE WHEN l1 >= l5 THEN 1 ELSE 0 END + CASE WHEN l2 >= l5 THEN 1 ELSE 0 END + CASE WHEN l3 >= l5 THEN 1 ELSE 0 END + CASE WHEN l4 >= l5 THEN 1 ELSE 0 END + CASE WHEN l6 > l5 THEN 1 ELSE 0 END + CASE WHEN l7 > l5 THEN 1 ELSE 0 END + CASE WHEN l8 > l5 THEN 1 ELSE 0 END
      ELSE 9
    END AS r5,
    CASE
      WHEN l6 > 0
      THEN CASE WHEN l0 >= l6 THEN 1 ELSE 0 END + CASE WHEN l1 >= l6 THEN 1 ELSE 0 END + CASE WHEN l2 >= l6 THEN 1 ELSE 0 END + CASE WHEN l3 >= l6 THEN 1 ELSE 0 END + CASE WHEN l4 >= l6 THEN 1 ELSE 0 END + CASE WHEN l5 >= l6 THEN 1 ELSE 0 END + CASE WHEN l7 > l6 THEN 1 ELSE 0 END + CASE WHEN l8 > l6 THEN 1 ELSE 0 END
      ELSE 9
    END AS r6,
    CASE
      WHEN l7 > 0
      THEN CASE WHEN l0 >= l7 THEN 1 ELSE 0 END + CASE WHEN l1 >= l7 THEN 1 ELSE 0 END + CASE WHEN l2 >= l7 THEN 1 ELSE 0 END + CASE WHEN l3 >= l7 THEN 1 ELSE 0 END + CASE WHEN l4 >= l7 THEN 1 ELSE 0 END + CASE WHEN l5 >= l7 THEN 1 ELSE 0 END + CASE WHEN l6 >= l7 THEN 1 ELSE 0 END + CASE WHEN l8 > l7 THEN 1 ELSE 0 END
      ELSE 9
    END AS r7,
    CASE
      WHEN l8 > 0
      THEN CASE WHEN l0 >= l8 THEN 1 ELSE 0 END + CASE WHEN l1 >= l8 THEN 1 ELSE 0 END + CASE WHEN l2 >= l8 THEN 1 ELSE 0 END + CASE WHEN l3 >= l8 THEN 1 ELSE 0 END + CASE WHEN l4 >= l8 THEN 1 ELSE 0 END + CASE WHEN l5 >= l8 THEN 1 ELSE 0 END + CASE WHEN l6 >= l8 THEN 1 ELSE 0 END + CASE WHEN l7 >= l8 THEN 1 ELSE 0 END
      ELSE 9
    END AS r8
  FROM lost
), picked AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN r0 = 0
      THEN 0
      WHEN r1 = 0
      THEN 1
      WHEN r2 = 0
      THEN 2
      WHEN r3 = 0
      THEN 3
      WHEN r4 = 0
      THEN 4
      WHEN r5 = 0
      THEN 5
      WHEN r6 = 0
      THEN 6
      WHEN r7 = 0
      THEN 7
      WHEN r8 = 0
      THEN 8
    END AS k0,
    CASE
      WHEN r0 = 1
      THEN 0
      WHEN r1 = 1
      THEN 1
      WHEN r2 = 1
      THEN 2
      WHEN r3 = 1
      THEN 3
      WHEN r4 = 1
      THEN 4
      WHEN r5 = 1
      THEN 5
      WHEN r6 = 1
      THEN 6
      WHEN r7 = 1
      THEN 7
      WHEN r8 = 1
      THEN 8
    END AS k1,
    CASE
      WHEN r0 = 2
      THEN 0
      WHEN r1 = 2
      THEN 1
      WHEN r2 = 2
      THEN 2
      WHEN r3 = 2
      THEN 3
      WHEN r4 = 2
      THEN 4
      WHEN r5 = 2
      THEN 5
      WHEN r6 = 2
      THEN 6
      WHEN r7 = 2
      THEN 7
      WHEN r8 = 2
      THEN 8
    END AS k2,
    CASE
      WHEN r0 = 3
      THEN 0
      WHEN r1 = 3
      THEN 1
      WHEN r2 = 3
      THEN 2
      WHEN r3 = 3
      THEN 3
      WHEN r4 = 3
      THEN 4
      WHEN r5 = 3
      THEN 5
      WHEN r6 = 3
      THEN 6
      WHEN r7 = 3
      THEN 7
      WHEN r8 = 3
      THEN 8
    END AS k3
  FROM ranked
)
SELECT
  entity_id,
  kind,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE CAST(CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END AS INT)
  END AS score,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN 'insufficient data'
    WHEN CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END >= 700
    THEN 'extraordinary'
    WHEN CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END >= 650
    THEN 'excellent'
    WHEN CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END >= 600
    THEN 'good'
    WHEN CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END >= 550
    THEN 'fair'
    WHEN CASE
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(166.47058823529412 AS DOUBLE PRECISION) + CAST(1.411764705882353 AS DOUBLE PRECISION) * total_points + CAST(0.5 AS DOUBLE PRECISION)
      )
    END >= 350
    THEN 'poor'
    ELSE 'poor'
  END AS band,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_credit_history
  END AS points_credit_history,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_behaviour
  END AS points_behaviour,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_capacity
  END AS points_capacity,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_identity
  END AS points_identity,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_connections
  END AS points_connections,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k0
    END
    WHEN 0
    THEN 'on_time_obligation_share'
    WHEN 1
    THEN 'late_obligations_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'regulatory_penalties_36m'
    WHEN 4
    THEN 'verified_assets'
    WHEN 5
    THEN 'verified_revenue'
    WHEN 6
    THEN 'licence_revocations'
    WHEN 7
    THEN 'days_since_licence_check'
    WHEN 8
    THEN 'consented_vouches_24m'
  END AS reason1_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k0
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no tax, invoice or bill payments on record; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '% of taxes, invoices and bills met on time in the last 24 months; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late obligations 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' late taxes, invoices or bills in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no regulatory penalties 36m on record; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f3 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' regulatory penalties or fraudulent chargebacks in the last 36 months; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f4 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no verified revenue in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified revenue of ' || CAST(CAST(FLOOR(f5 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no licence or registration check on record; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'licence or registration last confirmed ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' days ago; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no consented vouches 24m on record; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f8 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' consented vouches in the last 24 months; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
  END AS reason1_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k1
    END
    WHEN 0
    THEN 'on_time_obligation_share'
    WHEN 1
    THEN 'late_obligations_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'regulatory_penalties_36m'
    WHEN 4
    THEN 'verified_assets'
    WHEN 5
    THEN 'verified_revenue'
    WHEN 6
    THEN 'licence_revocations'
    WHEN 7
    THEN 'days_since_licence_check'
    WHEN 8
    THEN 'consented_vouches_24m'
  END AS reason2_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k1
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no tax, invoice or bill payments on record; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '% of taxes, invoices and bills met on time in the last 24 months; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late obligations 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' late taxes, invoices or bills in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no regulatory penalties 36m on record; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f3 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' regulatory penalties or fraudulent chargebacks in the last 36 months; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f4 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no verified revenue in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified revenue of ' || CAST(CAST(FLOOR(f5 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no licence or registration check on record; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'licence or registration last confirmed ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' days ago; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no consented vouches 24m on record; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f8 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' consented vouches in the last 24 months; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
  END AS reason2_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k2
    END
    WHEN 0
    THEN 'on_time_obligation_share'
    WHEN 1
    THEN 'late_obligations_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'regulatory_penalties_36m'
    WHEN 4
    THEN 'verified_assets'
    WHEN 5
    THEN 'verified_revenue'
    WHEN 6
    THEN 'licence_revocations'
    WHEN 7
    THEN 'days_since_licence_check'
    WHEN 8
    THEN 'consented_vouches_24m'
  END AS reason3_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k2
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no tax, invoice or bill payments on record; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '% of taxes, invoices and bills met on time in the last 24 months; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late obligations 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' late taxes, invoices or bills in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no regulatory penalties 36m on record; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f3 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' regulatory penalties or fraudulent chargebacks in the last 36 months; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f4 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no verified revenue in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified revenue of ' || CAST(CAST(FLOOR(f5 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no licence or registration check on record; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'licence or registration last confirmed ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' days ago; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no consented vouches 24m on record; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f8 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' consented vouches in the last 24 months; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
  END AS reason3_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k3
    END
    WHEN 0
    THEN 'on_time_obligation_share'
    WHEN 1
    THEN 'late_obligations_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'regulatory_penalties_36m'
    WHEN 4
    THEN 'verified_assets'
    WHEN 5
    THEN 'verified_revenue'
    WHEN 6
    THEN 'licence_revocations'
    WHEN 7
    THEN 'days_since_licence_check'
    WHEN 8
    THEN 'consented_vouches_24m'
  END AS reason4_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k3
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no tax, invoice or bill payments on record; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '% of taxes, invoices and bills met on time in the last 24 months; meeting every obligation on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late obligations 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' late taxes, invoices or bills in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no regulatory penalties 36m on record; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f3 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' regulatory penalties or fraudulent chargebacks in the last 36 months; none for 36 months would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f4 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no verified revenue in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'verified revenue of ' || CAST(CAST(FLOOR(f5 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' in the last year; having your revenue verified would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' licence revocations on record; holding a valid licence would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no licence or registration check on record; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE 'licence or registration last confirmed ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' days ago; confirming your licence and registration would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no consented vouches 24m on record; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
      ELSE CAST(CAST(FLOOR(f8 + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' consented vouches in the last 24 months; vouches from partners who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.411764705882353 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT) AS VARCHAR) || ' points'
    END
  END AS reason4_text
FROM picked
