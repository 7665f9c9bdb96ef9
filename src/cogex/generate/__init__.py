"""Generation in the two CoGEX modes: reasoner f(I, A) -> P, C, O and emulator f(I, A, P) -> C, O."""

from cogex.generate.modes import EMULATOR_CONFIG, REASONER_CONFIG, emulate, reason, reason_with_retries

__all__ = ["EMULATOR_CONFIG", "REASONER_CONFIG", "emulate", "reason", "reason_with_retries"]
