"""Resource cloud dispatch (资源云调度, issue 16): the registry of every owner's resources, demands and their
optimal, explained matching. Only the framework-free engine (``core/``) exists so far."""
