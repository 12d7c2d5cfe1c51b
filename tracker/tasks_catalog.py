"""The task catalogue: every transformers pipeline task, plus the Hub's other task tags.

Pipeline identifiers, names and modalities follow the transformers pipeline table
(quick tour and `transformers.pipelines.SUPPORTED_TASKS`); the Hub-only tasks follow
the Hub's task pages. A tag we do not know is kept with modality "other"
(see `unknown_task`). `trial_supported` mirrors `tracker.trial.tasks.SUPPORTED_TASKS`
(a test keeps them in step; importing tracker.trial here would pull it into sync).
"""

from __future__ import annotations

from dataclasses import dataclass

MODALITIES = ("text", "vision", "audio", "multimodal", "tabular", "rl", "other")


@dataclass(frozen=True)
class TaskInfo:
    id: str
    name: str
    modality: str
    description: str
    pipeline: bool = True  # a transformers pipeline task (else a Hub-only task tag)
    trial_supported: bool = False


# What `tracker try` can run (tracker.trial.tasks.SUPPORTED_TASKS).
TRIAL_TASKS = frozenset(
    {
        "text-classification",
        "token-classification",
        "question-answering",
        "fill-mask",
        "feature-extraction",
        "sentence-similarity",
        "zero-shot-classification",
        "summarization",
        "translation",
        "text-generation",
        "image-classification",
        "automatic-speech-recognition",
    }
)

_PIPELINE = [
    # id, name, modality, description
    (
        "text-classification",
        "Text classification",
        "text",
        "Assign a label to a text (sentiment, topic, entailment). Alias: sentiment-analysis.",
    ),
    (
        "token-classification",
        "Token classification",
        "text",
        "Label each token of a text (named entities, parts of speech). Alias: ner.",
    ),
    (
        "question-answering",
        "Question answering",
        "text",
        "Extract the answer to a question from a given context.",
    ),
    (
        "table-question-answering",
        "Table question answering",
        "text",
        "Answer a question about a table.",
    ),
    ("fill-mask", "Fill mask", "text", "Predict the masked word of a sentence."),
    (
        "feature-extraction",
        "Feature extraction",
        "text",
        "Turn a text into a vector of features (embeddings).",
    ),
    (
        "zero-shot-classification",
        "Zero-shot classification",
        "text",
        "Classify a text into labels chosen at run time.",
    ),
    ("summarization", "Summarization", "text", "Write a shorter text that keeps the main points."),
    ("translation", "Translation", "text", "Translate a text from one language to another."),
    (
        "text-generation",
        "Text generation",
        "text",
        "Continue a prompt or answer it (causal language models, chat).",
    ),
    (
        "text2text-generation",
        "Text-to-text generation",
        "text",
        "Turn a text into another text with an encoder-decoder model.",
    ),
    ("image-classification", "Image classification", "vision", "Assign a label to an image."),
    (
        "image-segmentation",
        "Image segmentation",
        "vision",
        "Label each pixel of an image (semantic, instance, panoptic).",
    ),
    (
        "object-detection",
        "Object detection",
        "vision",
        "Find objects in an image with boxes and labels.",
    ),
    (
        "depth-estimation",
        "Depth estimation",
        "vision",
        "Predict the depth of each pixel of an image.",
    ),
    (
        "image-to-image",
        "Image to image",
        "vision",
        "Transform an image (super-resolution, restoration).",
    ),
    (
        "image-feature-extraction",
        "Image feature extraction",
        "vision",
        "Turn an image into a vector of features.",
    ),
    (
        "mask-generation",
        "Mask generation",
        "vision",
        "Generate segmentation masks for the objects in an image.",
    ),
    ("keypoint-matching", "Keypoint matching", "vision", "Match keypoints between two images."),
    ("video-classification", "Video classification", "vision", "Assign a label to a video."),
    (
        "zero-shot-image-classification",
        "Zero-shot image classification",
        "vision",
        "Classify an image into labels chosen at run time.",
    ),
    (
        "zero-shot-object-detection",
        "Zero-shot object detection",
        "vision",
        "Find objects described by text labels chosen at run time.",
    ),
    ("audio-classification", "Audio classification", "audio", "Assign a label to an audio clip."),
    (
        "automatic-speech-recognition",
        "Automatic speech recognition",
        "audio",
        "Transcribe speech into text.",
    ),
    (
        "text-to-audio",
        "Text to audio",
        "audio",
        "Generate speech or sound from text. Alias: text-to-speech.",
    ),
    (
        "zero-shot-audio-classification",
        "Zero-shot audio classification",
        "audio",
        "Classify an audio clip into labels chosen at run time.",
    ),
    (
        "image-to-text",
        "Image to text",
        "multimodal",
        "Describe an image in text (captioning, OCR).",
    ),
    (
        "image-text-to-text",
        "Image-text to text",
        "multimodal",
        "Answer a prompt about one or more images (vision-language models).",
    ),
    (
        "visual-question-answering",
        "Visual question answering",
        "multimodal",
        "Answer a question about an image.",
    ),
    (
        "document-question-answering",
        "Document question answering",
        "multimodal",
        "Answer a question about a document image.",
    ),
    (
        "any-to-any",
        "Any to any",
        "multimodal",
        "Take and produce any mix of text, images, audio and video.",
    ),
]

_HUB_ONLY = [
    (
        "sentence-similarity",
        "Sentence similarity",
        "text",
        "Score how close texts are in meaning (sentence embeddings).",
    ),
    ("text-ranking", "Text ranking", "text", "Rank texts by relevance to a query (rerankers)."),
    ("text-to-image", "Text to image", "multimodal", "Generate an image from a text prompt."),
    ("text-to-video", "Text to video", "multimodal", "Generate a video from a text prompt."),
    ("image-to-video", "Image to video", "multimodal", "Generate a video from an image."),
    (
        "unconditional-image-generation",
        "Unconditional image generation",
        "vision",
        "Generate images without a prompt.",
    ),
    (
        "audio-to-audio",
        "Audio to audio",
        "audio",
        "Transform audio (source separation, enhancement).",
    ),
    (
        "voice-activity-detection",
        "Voice activity detection",
        "audio",
        "Find the parts of an audio clip that hold speech.",
    ),
    (
        "tabular-classification",
        "Tabular classification",
        "tabular",
        "Predict a label from a row of a table.",
    ),
    (
        "tabular-regression",
        "Tabular regression",
        "tabular",
        "Predict a number from a row of a table.",
    ),
    (
        "time-series-forecasting",
        "Time series forecasting",
        "tabular",
        "Predict the next values of a time series.",
    ),
    (
        "reinforcement-learning",
        "Reinforcement learning",
        "rl",
        "Agents that act in an environment to maximise a reward.",
    ),
    ("robotics", "Robotics", "rl", "Policies that control robots."),
]

TASKS: dict[str, TaskInfo] = {
    task_id: TaskInfo(task_id, name, modality, description, True, task_id in TRIAL_TASKS)
    for task_id, name, modality, description in _PIPELINE
} | {
    task_id: TaskInfo(task_id, name, modality, description, False, task_id in TRIAL_TASKS)
    for task_id, name, modality, description in _HUB_ONLY
}

# Names the Hub or older transformers use for a task in the catalogue.
ALIASES = {
    "sentiment-analysis": "text-classification",
    "ner": "token-classification",
    "text-to-speech": "text-to-audio",
    "image-captioning": "image-to-text",
    "vqa": "visual-question-answering",
}


def canonical_task(tag: str) -> str:
    """The catalogue id for a task tag ('ner' -> 'token-classification'); others unchanged."""
    tag = (tag or "").strip()
    return ALIASES.get(tag.lower(), tag)


def unknown_task(task_id: str, name: str = "") -> TaskInfo:
    """A task we do not know (a new Hub tag, an archive task): kept, with modality 'other'."""
    pretty = name or task_id.replace("-", " ").replace("_", " ").capitalize()
    return TaskInfo(task_id, pretty, "other", "", pipeline=False)


def task_rows() -> list[dict[str, object]]:
    """The catalogue as rows of the tasks table."""
    return [
        {
            "id": t.id,
            "name": t.name,
            "modality": t.modality,
            "description": t.description,
            "trial_supported": t.trial_supported,
        }
        for t in TASKS.values()
    ]
