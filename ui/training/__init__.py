"""The Fine-tuning page's building blocks, one concern per module (``pages/fine_tuning.py`` puts
them together and is the only module that imports :mod:`worker.client`: it hands the client in):

* :mod:`.text`: the words (method texts from :data:`aggregation.TRAINING_METHODS`, the theory's labels,
  the headline a newcomer reads first, captions);
* :mod:`.theory`: the theory next to a job, read from the job's stored result or computed by the
  core (:func:`aggregation.training_methods.theory`) for the preview before a job exists;
* :mod:`.form`: the settings form, its start button and the theory preview;
* :mod:`.live`: the job on screen while it is queued or running (a polling fragment), notices;
* :mod:`.result`: a finished job's result next to the theory, and its training data;
* :mod:`.history`: the list of past jobs, links to a job, and the spread across seeds;
* :mod:`.figures`: the page's plotly figures (no Streamlit).

Session state keys all start with ``ft_``; the URL's ``job`` parameter names the job on screen.
"""
