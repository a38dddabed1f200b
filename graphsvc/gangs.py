"""placeholder"""
def gangs(*a, **k): pass
def gang(*a, **k): pass
