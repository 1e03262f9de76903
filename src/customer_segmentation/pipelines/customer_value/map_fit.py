"""Maximum a posteriori fits of the value models, each compiled once per process.

pymc-marketing's ``BetaGeoModel`` and ``GammaGammaModel`` put the customers into
the graph as constants. Every fit then rewrites and compiles its graphs again
(``pymc.find_MAP`` compiles five functions, the log-likelihood a sixth), and
pytensor's compile cache files one key per dataset (its size and a hash of its
values): the cache's index, which every new process reads at its first compile,
grew with each dataset ever fitted, to seconds. Here the same models (the
likelihood of pymc-marketing's ``BetaGeoNBD``; the Gamma-Gamma potential as
pymc-marketing writes it) hold the customers in shared variables. A model is
built and compiled once per process and set of priors; a new dataset is new
values of its shared variables, and the cache holds one entry per graph.

The optimisation is ``pymc.find_MAP``'s: L-BFGS-B on the transformed parameters
from the model's initial point, on the log density without the Jacobian.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .settings import BG_NBD_PARAMETERS, GAMMA_GAMMA_PARAMETERS, PriorSpec

logger = logging.getLogger(__name__)

PURCHASE_MODEL = "bg_nbd"
SPEND_MODEL = "gamma_gamma"
# find_MAP's cap on the evaluations of the log density (scipy's own is 15,000).
MAX_EVALUATIONS = 5000


@dataclass
class CompiledValueModel:
    """A value model with its data in shared variables and its functions compiled.

    Attributes:
        parameters: Names of the fitted parameters, in the order of ``values``.
        transformed: Names of the optimised (transformed) parameters, in the
            order of ``start``.
        data: Shared variable of each data input, by name.
        start: Transformed parameters where the optimisation starts (flat).
        objective: Negative log density and its gradient at transformed values.
        values: Parameter values and the data term of the log density (the
            log-likelihood) at transformed values.
        lock: Held while the data is set and the model fitted: one fit at a time.
    """

    parameters: tuple[str, ...]
    transformed: tuple[str, ...]
    data: dict[str, Any]
    start: np.ndarray
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]]
    values: Callable[[np.ndarray], tuple[dict[str, float], float]]
    lock: threading.Lock = field(default_factory=threading.Lock)


_compiled: dict[tuple[str, str], CompiledValueModel] = {}
_compiled_lock = threading.Lock()


def _prior_variables(
    priors: Mapping[str, PriorSpec], names: tuple[str, ...]
) -> dict[str, Any]:
    from pymc_extras.prior import Prior  # noqa: PLC0415

    specs = {name: priors.get(name, PriorSpec()) for name in names}
    # Created in pymc-marketing's order: the transformed parameters are optimised
    # as one vector in this order.
    return {
        name: Prior(spec.distribution, **spec.parameters).create_variable(name)
        for name, spec in specs.items()
    }


def _purchase_model(priors: Mapping[str, PriorSpec]) -> tuple[Any, dict, Any]:
    import pymc as pm  # noqa: PLC0415
    from pymc_marketing.clv.distributions import BetaGeoNBD  # noqa: PLC0415

    with pm.Model() as model:
        data = {
            "T": pm.Data("T", np.ones(1)),
            "recency_frequency": pm.Data("recency_frequency", np.ones((1, 2))),
        }
        variables = _prior_variables(priors, ("alpha", "a", "b", "r"))
        BetaGeoNBD(
            name="recency_frequency_likelihood",
            a=variables["a"],
            b=variables["b"],
            r=variables["r"],
            alpha=variables["alpha"],
            T=data["T"],
            observed=data["recency_frequency"],
        )
    return model, data, model.observedlogp


def _spend_model(priors: Mapping[str, PriorSpec]) -> tuple[Any, dict, Any]:
    import pymc as pm  # noqa: PLC0415
    import pytensor.tensor as pt  # noqa: PLC0415

    with pm.Model() as model:
        data = {
            "frequency": pm.Data("frequency", np.ones(1, dtype="int64")),
            "monetary_value": pm.Data("monetary_value", np.ones(1)),
        }
        variables = _prior_variables(priors, GAMMA_GAMMA_PARAMETERS)
        p, q, v = (variables[name] for name in GAMMA_GAMMA_PARAMETERS)
        x, z_mean = data["frequency"], data["monetary_value"]
        # Equation 1a of Fader, Hardie and Lee (2005), "RFM and CLV", with the
        # individual mean spend marginalised out, as pymc-marketing writes it.
        pm.Potential(
            "likelihood",
            pt.gammaln(p * x + q)
            - pt.gammaln(p * x)
            - pt.gammaln(q)
            + q * pt.log(v)
            + (p * x - 1) * pt.log(z_mean)
            + (p * x) * pt.log(x)
            - (p * x + q) * pt.log(x * z_mean + v),
        )
    return model, data, model.potentiallogp


BUILDERS = {
    PURCHASE_MODEL: (_purchase_model, BG_NBD_PARAMETERS),
    SPEND_MODEL: (_spend_model, GAMMA_GAMMA_PARAMETERS),
}


def _compile(kind: str, priors: Mapping[str, PriorSpec]) -> CompiledValueModel:
    import pytensor.tensor as pt  # noqa: PLC0415

    build, parameters = BUILDERS[kind]
    model, data, log_likelihood = build(priors)
    value_variables = model.continuous_value_vars
    log_density = model.logp(jacobian=False)
    evaluate = model.compile_fn(
        [log_density, *pt.grad(log_density, value_variables)],
        inputs=value_variables,
        point_fn=False,
    )
    summarise = model.compile_fn(
        model.replace_rvs_by_values(
            [*(model[name] for name in parameters), log_likelihood]
        ),
        inputs=value_variables,
        point_fn=False,
    )
    initial = model.initial_point()

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        log_density, *gradient = evaluate(*x)
        return -float(log_density), -np.array(gradient, dtype="float64")

    def values(x: np.ndarray) -> tuple[dict[str, float], float]:
        *fitted, likelihood = summarise(*x)
        return dict(zip(parameters, map(float, fitted), strict=True)), float(likelihood)

    return CompiledValueModel(
        parameters=parameters,
        transformed=tuple(variable.name for variable in value_variables),
        data=data,
        start=np.array([initial[variable.name] for variable in value_variables]),
        objective=objective,
        values=values,
    )


def compiled_value_model(
    kind: str, priors: Mapping[str, PriorSpec]
) -> CompiledValueModel:
    """Gives the compiled model of that kind and priors, compiling it on first use.

    Args:
        kind: ``bg_nbd`` (purchases) or ``gamma_gamma`` (spend).
        priors: Prior of each parameter (flat when left out).

    Returns:
        The model compiled earlier in this process with the same priors, or a new one.
    """
    key = (
        kind,
        json.dumps({n: p.model_dump() for n, p in priors.items()}, sort_keys=True),
    )
    with _compiled_lock:
        if key not in _compiled:
            _compiled[key] = _compile(kind, priors)
        return _compiled[key]


def forget_compiled_models() -> None:
    """Drops the compiled models of this process; the next fit compiles again."""
    with _compiled_lock:
        _compiled.clear()


def fit_map(
    kind: str, priors: Mapping[str, PriorSpec], data: Mapping[str, np.ndarray]
) -> tuple[dict[str, float], float]:
    """Fits a value model by maximum a posteriori on the given customers.

    Args:
        kind: ``bg_nbd`` (data ``T`` and ``recency_frequency``, the two columns)
            or ``gamma_gamma`` (data ``frequency`` and ``monetary_value``).
        priors: Prior of each parameter (flat when left out).
        data: One array per data input of the model, one row per customer.

    Returns:
        The fitted parameter values and the log-likelihood at them (the data term
        of the log density, without priors).

    Raises:
        ValueError: If the log density is not finite where the optimisation
            starts.
    """
    model = compiled_value_model(kind, priors)
    with model.lock:
        placeholders = {name: shared.get_value() for name, shared in model.data.items()}
        for name, shared in model.data.items():
            shared.set_value(np.asarray(data[name], dtype=shared.dtype))
        try:
            return _maximise(kind, model)
        finally:
            # The compiled model outlives the fit; the customers do not.
            for name, shared in model.data.items():
                shared.set_value(placeholders[name])


def _maximise(kind: str, model: CompiledValueModel) -> tuple[dict[str, float], float]:
    from scipy.optimize import minimize  # noqa: PLC0415

    start_value, _ = model.objective(model.start)
    if not np.isfinite(start_value):
        start = dict(zip(model.transformed, model.start.tolist(), strict=True))
        raise ValueError(
            f"{kind}: the log density at the starting point {start} is "
            f"{-start_value}; check the data and the priors"
        )
    result = minimize(
        model.objective,
        model.start,
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": MAX_EVALUATIONS},
    )
    if not result.success:
        logger.warning(
            "%s: the optimiser stopped before converging (%s); the fit is the "
            "last point it reached",
            kind,
            result.message,
        )
    return model.values(result.x)
